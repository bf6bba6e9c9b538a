// Semantic validation beyond the JSON Schemas: names unique, bounds consistent, records matching
// the project. Each check returns every problem it finds; the schema check runs first and the
// semantic checks are written to cope with whatever shape the schema already complained about.
import type { Problem } from './errors.js';
import { InputError, dedupeProblems, locate, showValue } from './errors.js';
import { closest, didYouMean } from '../util/did-you-mean.js';
import { schemaProblems } from './schemas.js';
import type {
  Level,
  MetricDef,
  Param,
  ParamDef,
  ParamValue,
  ParamValues,
  Playtest,
  Project,
  ProjectFile,
  Target,
  TargetDef,
} from './types.js';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);
const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
const objects = (x: unknown): Obj[] => (Array.isArray(x) ? x.filter(isObj) : []);

/** Names must be unique within a list; reports each repeat at its index. */
function uniqueNames(items: unknown, list: string, key: string, what: string): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, number>();
  (Array.isArray(items) ? items : []).forEach((item, i) => {
    const name = isObj(item) ? item[key] : undefined;
    if (typeof name !== 'string') return;
    const prev = first.get(name);
    if (prev === undefined) first.set(name, i);
    else problems.push({ field: `${list}[${i}].${key}`, message: `${what} "${name}" is already declared at ${list}[${prev}]` });
  });
  return problems;
}

function numericParamProblems(p: Obj, at: string): Problem[] {
  const problems: Problem[] = [];
  const min = num(p['min']);
  const max = num(p['max']);
  const def = num(p['default']);
  const isInt = p['type'] === 'int';
  for (const [key, v] of [['min', min], ['max', max], ['default', def]] as const) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) problems.push({ field: `${at}.${key}`, message: `must be a finite number (got ${showValue(v)})` });
    else if (isInt && !Number.isInteger(v)) problems.push({ field: `${at}.${key}`, message: `must be a whole number for an int param (got ${v})` });
  }
  if (min !== undefined && max !== undefined && !(min < max)) {
    problems.push({ field: `${at}.max`, message: `must be greater than min (${min}) (got ${max})` });
  } else if (def !== undefined && min !== undefined && max !== undefined && (def < min || def > max)) {
    problems.push({ field: `${at}.default`, message: `must lie within [${min}, ${max}] (got ${def})` });
  }
  if (p['scale'] === 'log' && min !== undefined && !(min > 0)) {
    problems.push({ field: `${at}.min`, message: `must be > 0 for a log-scale param (got ${min})` });
  }
  return problems;
}

function choiceParamProblems(p: Obj, at: string): Problem[] {
  const problems: Problem[] = [];
  const choices = Array.isArray(p['choices']) ? p['choices'] : [];
  const seen = new Set<unknown>();
  choices.forEach((c, i) => {
    if (seen.has(c)) problems.push({ field: `${at}.choices[${i}]`, message: `repeats the choice ${showValue(c)}` });
    seen.add(c);
  });
  const def = p['default'];
  if (typeof def === 'string' && choices.length > 0 && !choices.includes(def)) {
    problems.push({ field: `${at}.default`, message: `must be one of the choices ${choices.map((c) => showValue(c)).join(', ')} (got ${showValue(def)})` });
  }
  return problems;
}

function featureProblems(f: Obj, at: string): Problem[] {
  const min = num(f['min']);
  const max = num(f['max']);
  const problems: Problem[] = [];
  for (const [key, v] of [['min', min], ['max', max]] as const) {
    if (v !== undefined && !Number.isFinite(v)) problems.push({ field: `${at}.${key}`, message: `must be a finite number (got ${showValue(v)})` });
  }
  if (min !== undefined && max !== undefined && !(min < max)) {
    problems.push({ field: `${at}.max`, message: `must be greater than min (${min}) (got ${max})` });
  }
  return problems;
}

function targetProblems(t: Obj, at: string, metrics: Map<string, string>, segments: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const segment = t['segment'];
  if (typeof segment === 'string' && !segments.has(segment)) {
    const meant = closest(segment, segments);
    problems.push({
      field: `${at}.segment`,
      message: `names no declared segment (got "${segment}"${meant === undefined ? '' : `; did you mean "${meant}"?`}; declared: ${[...segments].join(', ') || 'none'})`,
    });
  }
  const metric = t['metric'];
  const kind = typeof metric === 'string' ? metrics.get(metric) : undefined;
  if (typeof metric === 'string' && kind === undefined) {
    const known = [...metrics.keys()].join(', ');
    const meant = closest(metric, metrics.keys());
    problems.push({ field: `${at}.metric`, message: `names no declared metric (got "${metric}"${meant === undefined ? '' : `; did you mean "${meant}"?`}; declared: ${known || 'none'})` });
  }
  for (const key of ['target', 'tolerance', 'weight']) {
    const v = num(t[key]);
    if (v !== undefined && !Number.isFinite(v)) problems.push({ field: `${at}.${key}`, message: `must be a finite number (got ${showValue(v)})` });
  }
  const target = num(t['target']);
  if (kind === 'rate' && target !== undefined && (target < 0 || target > 1)) {
    problems.push({ field: `${at}.target`, message: `must lie within [0, 1] for the rate metric "${String(metric)}" (got ${target})` });
  }
  return problems;
}

/** A tester stands for one kind of player only. */
function segmentProblems(raw: Obj): Problem[] {
  const problems: Problem[] = [];
  const owner = new Map<string, number>();
  (Array.isArray(raw['segments']) ? raw['segments'] : []).forEach((g, i) => {
    if (!isObj(g) || !Array.isArray(g['testers'])) return;
    g['testers'].forEach((t, j) => {
      if (typeof t !== 'string') return;
      const prev = owner.get(t);
      if (prev === undefined) owner.set(t, i);
      else problems.push({ field: `segments[${i}].testers[${j}]`, message: `tester "${t}" already belongs to segments[${prev}]` });
    });
  });
  return problems;
}

/** One target per metric and segment. */
function duplicateTargets(raw: Obj): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, number>();
  (Array.isArray(raw['targets']) ? raw['targets'] : []).forEach((t, i) => {
    if (!isObj(t) || typeof t['metric'] !== 'string') return;
    const segment = typeof t['segment'] === 'string' ? t['segment'] : undefined;
    const key = `${t['metric']}\u0000${segment ?? ''}`;
    const prev = first.get(key);
    if (prev === undefined) first.set(key, i);
    else problems.push({ field: `targets[${i}].metric`, message: `a target for metric "${t['metric']}"${segment === undefined ? '' : ` and segment "${segment}"`} is already declared at targets[${prev}]` });
  });
  return problems;
}

function semanticProjectProblems(raw: Obj): Problem[] {
  const metricKinds = new Map<string, string>();
  for (const m of objects(raw['metrics'])) {
    if (typeof m['name'] === 'string' && typeof m['kind'] === 'string' && !metricKinds.has(m['name'])) metricKinds.set(m['name'], m['kind']);
  }
  const segments = new Set(objects(raw['segments']).flatMap((g) => (typeof g['name'] === 'string' ? [g['name']] : [])));
  const problems: Problem[] = [
    ...uniqueNames(raw['params'], 'params', 'name', 'param'),
    ...uniqueNames(raw['features'], 'features', 'name', 'feature'),
    ...uniqueNames(raw['metrics'], 'metrics', 'name', 'metric'),
    ...uniqueNames(raw['segments'], 'segments', 'name', 'segment'),
    ...segmentProblems(raw),
    ...duplicateTargets(raw),
  ];
  (Array.isArray(raw['params']) ? raw['params'] : []).forEach((p, i) => {
    if (!isObj(p)) return;
    const type = p['type'] ?? 'float';
    if (type === 'float' || type === 'int') problems.push(...numericParamProblems(p, `params[${i}]`));
    else if (type === 'choice') problems.push(...choiceParamProblems(p, `params[${i}]`));
  });
  (Array.isArray(raw['features']) ? raw['features'] : []).forEach((f, i) => {
    if (isObj(f)) problems.push(...featureProblems(f, `features[${i}]`));
  });
  (Array.isArray(raw['targets']) ? raw['targets'] : []).forEach((t, i) => {
    if (isObj(t)) problems.push(...targetProblems(t, `targets[${i}]`, metricKinds, segments));
  });
  return problems;
}

/** A numeric param's default when none is given: the midpoint (geometric on a log scale), whole for ints. */
function numericDefault(min: number, max: number, scale: 'linear' | 'log', isInt: boolean): number {
  const mid = scale === 'log' ? Math.sqrt(min * max) : (min + max) / 2;
  return isInt ? Math.min(max, Math.max(min, Math.round(mid))) : mid;
}

function normalizeParam(p: ParamDef): Param {
  const base = { name: p.name, group: p.group ?? 'balance', locked: p.locked ?? false, ...(p.description !== undefined ? { description: p.description } : {}) };
  const type = p.type ?? 'float';
  if (type === 'bool') return { ...base, type, default: typeof p.default === 'boolean' ? p.default : false };
  if (type === 'choice') {
    const choices = [...(p.choices ?? [])];
    return { ...base, type, choices, default: typeof p.default === 'string' ? p.default : (choices[0] as string) };
  }
  const min = p.min as number;
  const max = p.max as number;
  const scale = p.scale ?? 'linear';
  return { ...base, type, min, max, scale, default: typeof p.default === 'number' ? p.default : numericDefault(min, max, scale, type === 'int') };
}

function normalizeTarget(t: TargetDef): Target {
  return { metric: t.metric, target: t.target, tolerance: t.tolerance, weight: t.weight ?? 1, ...(t.segment !== undefined ? { segment: t.segment } : {}) };
}

/** project.json content → the normalized Project (every default filled); throws InputError listing every problem. */
export function parseProject(raw: unknown, file?: string): Project {
  const where = file === undefined ? {} : { file };
  const schema = schemaProblems('project', raw);
  const problems = [...schema, ...(isObj(raw) ? semanticProjectProblems(raw) : [])];
  if (problems.length > 0) throw new InputError(locate(dedupeProblems(problems), where));
  const pf = raw as ProjectFile;
  return {
    name: pf.name,
    ...(pf.description !== undefined ? { description: pf.description } : {}),
    params: pf.params.map(normalizeParam),
    features: (pf.features ?? []).map((f) => ({ ...f })),
    metrics: pf.metrics.map((m) => ({ ...m })),
    segments: (pf.segments ?? []).map((g) => ({ ...g, testers: [...g.testers] })),
    targets: (pf.targets ?? []).map(normalizeTarget),
  };
}

/** The Project written back as project.json content (defaults spelled out, so the file says what is used). */
export function projectToFile(project: Project): ProjectFile {
  return {
    name: project.name,
    ...(project.description !== undefined ? { description: project.description } : {}),
    params: project.params.map((p) => ({ ...p })),
    features: project.features.map((f) => ({ ...f })),
    metrics: project.metrics.map((m) => ({ ...m })),
    ...(project.segments.length > 0 ? { segments: project.segments.map((g) => ({ ...g, testers: [...g.testers] })) } : {}),
    targets: project.targets.map((t) => ({ ...t })),
  };
}

function numberProblem(field: string, v: number): Problem | undefined {
  return Number.isFinite(v) ? undefined : { field, message: `must be a finite number (got ${showValue(v)})` };
}

/** Problems of one param value against its declaration (wrong type, non-finite, out of bounds, non-integral, unknown choice). */
export function paramValueProblems(param: Param, value: unknown, field: string): Problem[] {
  // Built only for a problem: a million valid values must not each be stringified.
  const got = (): string => ` (got ${showValue(value)})`;
  switch (param.type) {
    case 'bool':
      return typeof value === 'boolean' ? [] : [{ field, message: `must be true or false${got()}` }];
    case 'choice':
      if (typeof value !== 'string') return [{ field, message: `must be one of ${param.choices.map((c) => showValue(c)).join(', ')}${got()}` }];
      return param.choices.includes(value) ? [] : [{ field, message: `is not a choice of "${param.name}": must be one of ${param.choices.map((c) => showValue(c)).join(', ')}${got()}` }];
    default: {
      if (typeof value !== 'number') return [{ field, message: `must be a number${got()}` }];
      const nonFinite = numberProblem(field, value);
      if (nonFinite) return [nonFinite];
      const problems: Problem[] = [];
      if (param.type === 'int' && !Number.isInteger(value)) problems.push({ field, message: `must be a whole number for the int param "${param.name}"${got()}` });
      if (value < param.min || value > param.max) problems.push({ field, message: `must lie within [${param.min}, ${param.max}]${got()}` });
      return problems;
    }
  }
}

function metricValueProblems(metric: MetricDef, value: number, field: string): Problem[] {
  const nonFinite = numberProblem(field, value);
  if (nonFinite) return [nonFinite];
  if (metric.kind === 'rate' && (value < 0 || value > 1)) return [{ field, message: `must lie within [0, 1] for the rate metric "${metric.name}" (got ${value})` }];
  if (metric.kind === 'count' && value < 0) return [{ field, message: `must not be negative for the count metric "${metric.name}" (got ${value})` }];
  return [];
}

function unknownName(field: string, what: string, known: readonly string[]): Problem {
  const name = field.slice(field.indexOf('.') + 1);
  return { field, message: `unknown ${what}${didYouMean(name, known)} (declared: ${known.length > 0 ? known.join(', ') : 'none'})` };
}

/** A levels.jsonl record checked against the schema and the project's features. */
export function checkLevel(project: Project, raw: unknown): { level?: Level; problems: Problem[] } {
  const problems = schemaProblems('level', raw);
  const features = new Map(project.features.map((f) => [f.name, f]));
  const rawFeatures = isObj(raw) && isObj(raw['features']) ? raw['features'] : {};
  for (const [name, value] of Object.entries(rawFeatures)) {
    const field = `features.${name}`;
    const def = features.get(name);
    if (!def) {
      problems.push(unknownName(field, 'feature', [...features.keys()]));
      continue;
    }
    if (typeof value !== 'number') continue; // the schema has said so
    const nonFinite = numberProblem(field, value);
    if (nonFinite) problems.push(nonFinite);
    else if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
      problems.push({ field, message: `must lie within [${def.min ?? '-∞'}, ${def.max ?? '∞'}] (got ${value})` });
    }
  }
  if (problems.length > 0) return { problems: dedupeProblems(problems) };
  const r = raw as { id: string; features?: Record<string, number>; description?: string };
  return { level: { id: r.id, features: { ...(r.features ?? {}) }, ...(r.description !== undefined ? { description: r.description } : {}) }, problems };
}

const UNKNOWN_LEVEL = /^unknown level "(.*)" \(add it to levels\.jsonl first\)$/;

/** Problems of playtests naming levels that are not stored, when there are several, as one: how many, which levels, where the first is. */
export function groupUnknownLevels(problems: readonly Problem[], fix: string): Problem[] {
  const unknown = problems.filter((p) => p.field === 'levelId' && UNKNOWN_LEVEL.test(p.message));
  if (unknown.length < 3) return [...problems];
  const ids = [...new Set(unknown.map((p) => UNKNOWN_LEVEL.exec(p.message)?.[1] as string))];
  const shown = ids.slice(0, 5).map((id) => `"${id}"`).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  const first = unknown[0] as Problem;
  const grouped: Problem = {
    ...first,
    message: `${unknown.length} playtests name levels that are not stored (${ids.length} level id${ids.length === 1 ? '' : 's'}: ${shown}); ${fix}`,
  };
  return problems.flatMap((p) => (p === first ? [grouped] : unknown.includes(p) ? [] : [p]));
}

/** A numeric param value that is valid but for lying outside the param's [min, max]. */
function outsideRange(param: Param, value: unknown): boolean {
  if (param.type !== 'float' && param.type !== 'int') return false;
  return typeof value === 'number' && Number.isFinite(value) && (value < param.min || value > param.max);
}

export interface CheckedPlaytest {
  playtest?: Playtest;
  problems: Problem[];
  /** With `rangeTolerant`: the params whose values lie outside their ranges (the playtest is otherwise valid). */
  outOfRange: string[];
}

const definitions = new WeakMap<Project, { params: Map<string, Param>; metrics: Map<string, MetricDef> }>();

/** The project's params and metrics by name, built once per project (checkPlaytest runs once a stored playtest). */
function definitionsOf(project: Project): { params: Map<string, Param>; metrics: Map<string, MetricDef> } {
  let d = definitions.get(project);
  if (!d) definitions.set(project, (d = { params: new Map(project.params.map((p) => [p.name, p])), metrics: new Map(project.metrics.map((m) => [m.name, m])) }));
  return d;
}

/**
 * A playtests.jsonl record checked against the schema, the project's params and metrics, and the
 * known levels. `rangeTolerant` (for stored playtests, when a range in project.json was narrowed
 * after they were recorded) lists param values outside their ranges in `outOfRange` instead of
 * rejecting the playtest.
 */
export function checkPlaytest(project: Project, raw: unknown, hasLevel: (id: string) => boolean, rangeTolerant = false): CheckedPlaytest {
  const problems = schemaProblems('playtest', raw);
  const outOfRange: string[] = [];
  if (!isObj(raw)) return { problems, outOfRange };
  const levelId = raw['levelId'];
  if (typeof levelId === 'string' && levelId !== '' && !hasLevel(levelId)) {
    problems.push({ field: 'levelId', message: `unknown level "${levelId}" (add it to levels.jsonl first)` });
  }
  const { params, metrics } = definitionsOf(project);
  for (const [name, value] of Object.entries(isObj(raw['params']) ? raw['params'] : {})) {
    const param = params.get(name);
    if (!param) problems.push(unknownName(`params.${name}`, 'param', [...params.keys()]));
    else if (['number', 'boolean', 'string'].includes(typeof value)) {
      const found = paramValueProblems(param, value, `params.${name}`);
      if (rangeTolerant && found.length === 1 && outsideRange(param, value)) outOfRange.push(name);
      else problems.push(...found);
    }
  }
  for (const [name, value] of Object.entries(isObj(raw['metrics']) ? raw['metrics'] : {})) {
    const metric = metrics.get(name);
    if (!metric) problems.push(unknownName(`metrics.${name}`, 'metric', [...metrics.keys()]));
    else if (typeof value === 'number') problems.push(...metricValueProblems(metric, value, `metrics.${name}`));
  }
  if (problems.length > 0) return { problems: dedupeProblems(problems), outOfRange };
  const r = raw as unknown as Playtest;
  const paramValues = { ...(r.params ?? {}) };
  const metricValues = { ...r.metrics };
  // Literals, not a conditional spread: objects built that way outlive V8's young generation, and a
  // store loading a million playtests checks each one.
  const playtest: Playtest = r.id !== undefined ? { id: r.id, levelId: r.levelId, params: paramValues, metrics: metricValues } : { levelId: r.levelId, params: paramValues, metrics: metricValues };
  if (r.tester !== undefined) playtest.tester = r.tester;
  if (r.at !== undefined) playtest.at = r.at;
  return { playtest, problems, outOfRange };
}

/** A complete assignment in project param order: given values where present, defaults elsewhere. */
export function resolveParams(project: Project, params?: Record<string, ParamValue>): ParamValues {
  const out: ParamValues = {};
  for (const p of project.params) {
    const v = params?.[p.name];
    out[p.name] = v !== undefined ? v : p.default;
  }
  return out;
}
