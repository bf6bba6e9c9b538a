// level.balance / level.suggest / level.predict: the model adapted to one level, then the balancer.
import { balanceLevel, levelBase, predictAt, suggestPlaytests } from '../../balance/index.js';
import type { LevelPredictor } from '../../model/index.js';
import { InputError, type Problem } from '../../project/errors.js';
import type { Level, ParamValues, Playtest } from '../../project/types.js';
import { checkPlaytest, paramValueProblems, resolveParams } from '../../project/validate.js';
import { ErrorCode, RpcError } from '../errors.js';
import { method, type LoadedModel, type Method, type RpcServices } from '../services.js';
import { requireModel } from './model.js';

interface Adapted {
  loaded: LoadedModel;
  playtests: readonly Playtest[];
  predictor: LevelPredictor;
}

/** Inline playtests are checked exactly like appended ones; their levelId defaults to the request's. */
function checkInline(services: RpcServices, level: Level, records: readonly unknown[]): Playtest[] {
  const problems: Problem[] = [];
  const playtests: Playtest[] = [];
  records.forEach((raw, i) => {
    const record = { levelId: level.id, ...(raw as Record<string, unknown>) };
    const checked = checkPlaytest(services.store.project, record, (id) => id === level.id);
    for (const p of checked.problems) problems.push({ ...p, field: `playtests[${i}]${p.field ? `.${p.field}` : ''}` });
    if (checked.playtest) playtests.push(checked.playtest);
  });
  if (problems.length > 0) throw new InputError(problems);
  return playtests;
}

function adapt(services: RpcServices, levelId: string, inline: readonly unknown[] | undefined): Adapted {
  const level = services.store.level(levelId);
  if (!level) throw new RpcError(ErrorCode.UnknownLevel, `unknown level: ${levelId}`);
  const loaded = requireModel(services);
  const playtests = inline ? checkInline(services, level, inline) : services.store.playtestsFor(levelId);
  return { loaded, playtests, predictor: services.models.predictor(loaded, level, playtests, inline ? 'inline' : 'stored') };
}

/** Candidate settings are checked like a playtest's: known names, right types, in bounds. */
function checkCandidate(services: RpcServices, params: Record<string, unknown>): ParamValues {
  const byName = new Map(services.store.project.params.map((p) => [p.name, p]));
  const problems: Problem[] = [];
  for (const [name, value] of Object.entries(params)) {
    const param = byName.get(name);
    if (!param) problems.push({ field: `params.${name}`, message: `unknown param "${name}"` });
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
    const { loaded, playtests, predictor } = adapt(services, params.levelId, params.playtests);
    const { project } = loaded.model;
    const current = levelBase(project, playtests);
    const balanced = balanceLevel(project, loaded.model.space, predictor, {
      allowGeneration: params.allowGeneration ?? false,
      locked: params.locked ?? [],
      base: current,
      seed: params.seed ?? 0,
      proximity: params.stayNear,
    });
    return { ...balanced, current };
  }),
  method('level.suggest', (params, { services }) => {
    const { loaded, playtests, predictor } = adapt(services, params.levelId, params.playtests);
    const { project } = loaded.model;
    const suggestions = suggestPlaytests(project, loaded.model.space, predictor, {
      count: params.count ?? 3,
      seed: params.seed ?? 0,
      allowGeneration: params.allowGeneration ?? false,
      base: levelBase(project, playtests),
      proximity: params.stayNear,
    });
    return { levelId: params.levelId, suggestions };
  }),
  method('level.predict', (params, { services }) => {
    const complete = checkCandidate(services, params.params);
    const { loaded, predictor } = adapt(services, params.levelId, params.playtests);
    return { levelId: params.levelId, ...predictAt(loaded.model.project, loaded.model.space, predictor, complete) };
  }),
];
