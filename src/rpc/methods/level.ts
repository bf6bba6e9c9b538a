// level.balance / level.suggest / level.predict: the request checked here, then the balancing
// service the host supplies (adaptation, search and prediction run there).
import type { LevelInput } from '../../balance/service.js';
import { InputError, type Problem } from '../../project/errors.js';
import type { Level, ParamValues, Playtest } from '../../project/types.js';
import { checkPlaytest, paramValueProblems, resolveParams } from '../../project/validate.js';
import { ErrorCode, RpcError } from '../errors.js';
import { method, type Method, type RpcServices } from '../services.js';
import { requireModel } from './model.js';

/** Inline playtests are checked exactly like appended ones; their levelId defaults to the request's. */
function checkInline(services: RpcServices, level: Level, records: readonly unknown[]): Playtest[] {
  const problems: Problem[] = [];
  const playtests: Playtest[] = [];
  records.forEach((raw, i) => {
    const record = { levelId: level.id, ...(raw as Record<string, unknown>) };
    const checked = checkPlaytest(services.store.project, record, (id) => id === level.id);
    for (const p of checked.problems)
      problems.push({
        ...p,
        field: `playtests[${i}]${p.field ? `.${p.field}` : ''}`,
      });
    if (checked.playtest) playtests.push(checked.playtest);
  });
  if (problems.length > 0) throw new InputError(problems);
  return playtests;
}

/** The level and the playtests to adapt to: the request's own, or the stored ones. */
function levelInput(services: RpcServices, levelId: string, inline: readonly unknown[] | undefined): LevelInput {
  const level = services.store.level(levelId);
  if (!level) throw new RpcError(ErrorCode.UnknownLevel, `unknown level: ${levelId}`);
  requireModel(services);
  return inline
    ? {
        level,
        playtests: checkInline(services, level, inline),
        source: 'inline',
      }
    : {
        level,
        playtests: services.store.playtestsFor(levelId),
        source: 'stored',
      };
}

/** Candidate settings are checked like a playtest's: known names, right types, in bounds. */
function checkCandidate(services: RpcServices, params: Record<string, unknown>): ParamValues {
  const byName = new Map(services.store.project.params.map((p) => [p.name, p]));
  const problems: Problem[] = [];
  for (const [name, value] of Object.entries(params)) {
    const param = byName.get(name);
    if (!param)
      problems.push({
        field: `params.${name}`,
        message: `unknown param "${name}"`,
      });
    else problems.push(...paramValueProblems(param, value, `params.${name}`));
  }
  if (problems.length > 0) throw new InputError(problems);
  return resolveParams(services.store.project, params as ParamValues);
}

function checkParamNames(services: RpcServices, names: readonly string[], field: string): void {
  const known = new Set(services.store.project.params.map((p) => p.name));
  const problems = names.filter((n) => !known.has(n)).map((n) => ({ field, message: `unknown param "${n}"` }));
  if (problems.length > 0) throw new InputError(problems);
}

export const levelMethods: Method[] = [
  method('level.balance', (params, { services }) => {
    if (params.locked) checkParamNames(services, params.locked, 'locked');
    return services.balancing.balance(levelInput(services, params.levelId, params.playtests), {
      allowGeneration: params.allowGeneration ?? false,
      locked: params.locked ?? [],
      seed: params.seed ?? 0,
      stayNear: params.stayNear,
    });
  }),
  method('level.suggest', async (params, { services }) => {
    if (params.locked) checkParamNames(services, params.locked, 'locked');
    const suggestions = await services.balancing.suggest(levelInput(services, params.levelId, params.playtests), params.count ?? 3, {
      allowGeneration: params.allowGeneration ?? false,
      locked: params.locked ?? [],
      seed: params.seed ?? 0,
      stayNear: params.stayNear,
    });
    return { levelId: params.levelId, suggestions };
  }),
  method('level.predict', async (params, { services }) => {
    const complete = checkCandidate(services, params.params);
    const prediction = await services.balancing.predict(levelInput(services, params.levelId, params.playtests), complete);
    return { levelId: params.levelId, ...prediction };
  }),
];
