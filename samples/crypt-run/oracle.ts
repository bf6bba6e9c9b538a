// The oracle: knows a level's hidden factors and the true expected metrics, and searches the balance
// params for a setting that meets the targets. Benchmarks use it as the ceiling ("how many levels can
// be balanced at all") and to score a balancer's answer; it is never part of the tool.
import type { Param, ParamValue, ParamValues, TargetDef } from '../../src/project/types.js';
import { parseProject, resolveParams } from '../../src/project/validate.js';
import { fromUnit, isNumeric, toUnit } from './param-scale.js';
import { expectedMetrics, projectFile, variants, type GameVariant, type SampleLevel } from './game.js';

const project = parseProject(projectFile);

/** Worst target miss in tolerances: max |metric − target| / tolerance (≤ 1 means every target is met). */
export function worstMiss(metrics: Record<string, number>, targets: readonly TargetDef[] = project.targets): number {
  let worst = 0;
  for (const t of targets) {
    const m = metrics[t.metric];
    if (m === undefined) throw new Error(`no value for target metric "${t.metric}"`);
    worst = Math.max(worst, Math.abs(m - t.target) / t.tolerance);
  }
  return worst;
}

/** The contract's "met": every target's expected value within target ± tolerance. */
export function meetsTargets(metrics: Record<string, number>, targets: readonly TargetDef[] = project.targets): boolean {
  return worstMiss(metrics, targets) <= 1;
}

/** The default value of every param of the sample game. */
export function defaultParams(): ParamValues {
  return resolveParams(project);
}

function discreteValues(p: Param): ParamValue[] {
  return p.type === 'bool' ? [false, true] : p.type === 'choice' ? [...p.choices] : [];
}

export interface OracleResult {
  params: ParamValues;
  metrics: Record<string, number>;
  worstMiss: number;
  meets: boolean;
}

export interface OracleOptions {
  /** values for the params that are not searched (default: the defaults) */
  base?: ParamValues;
  /** also search the generation params */
  allowGeneration?: boolean;
  /** grid points per numeric axis in the coarse pass */
  gridPoints?: number;
}

/**
 * Coarse grid over every searched param (numeric axes in their own scale, every choice), then a
 * pattern search from the best few grid points, minimising the worst target miss (tie-break: the
 * summed squared misses, so a met setting is pushed towards the middle of the tolerances).
 */
export function oracleBalance(level: SampleLevel, variant: GameVariant = variants[0]!, opts: OracleOptions = {}): OracleResult {
  const searched = project.params.filter((p) => opts.allowGeneration === true || p.group === 'balance');
  const axes = searched.filter(isNumeric);
  const discrete = searched.filter((p) => !isNumeric(p));
  const targets = project.targets;
  const base = { ...defaultParams(), ...opts.base };

  const score = (params: ParamValues): { params: ParamValues; metrics: Record<string, number>; worst: number; sq: number } => {
    const metrics = expectedMetrics(level, params, variant);
    let sq = 0;
    for (const t of targets) sq += t.weight * ((metrics[t.metric]! - t.target) / t.tolerance) ** 2;
    return { params, metrics, worst: worstMiss(metrics, targets), sq };
  };
  type Scored = ReturnType<typeof score>;
  const better = (a: Scored, b: Scored): boolean => Math.max(a.worst, 1) < Math.max(b.worst, 1) || (Math.max(a.worst, 1) === Math.max(b.worst, 1) && a.sq < b.sq);

  const g = opts.gridPoints ?? 4;
  const combos: ParamValues[] = [{}];
  for (const p of discrete) {
    const next: ParamValues[] = [];
    for (const c of combos) for (const v of discreteValues(p)) next.push({ ...c, [p.name]: v });
    combos.splice(0, combos.length, ...next);
  }
  const top: Scored[] = [];
  const keep = 4;
  const units = new Array<number>(axes.length).fill(0);
  const visit = (combo: ParamValues): void => {
    const params: ParamValues = { ...base, ...combo };
    axes.forEach((a, i) => (params[a.name] = fromUnit(a, (units[i]! + 0.5) / g)));
    const s = score(params);
    if (top.length < keep || better(s, top[top.length - 1]!)) {
      top.push(s);
      top.sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0));
      if (top.length > keep) top.pop();
    }
  };
  for (const combo of combos) {
    units.fill(0);
    for (;;) {
      visit(combo);
      let d = 0;
      while (d < axes.length && ++units[d]! === g) units[d++] = 0;
      if (d === axes.length) break;
    }
  }

  let best = top[0]!;
  for (const start of top) {
    let cur = start;
    let step = 0.5 / g;
    while (step > 1 / 128) {
      let improved = false;
      for (const a of axes) {
        for (const dir of [-1, 1]) {
          const u = toUnit(a, cur.params[a.name] as number) + dir * step;
          if (u < 0 || u > 1) continue;
          const cand = score({ ...cur.params, [a.name]: fromUnit(a, u) });
          if (better(cand, cur)) {
            cur = cand;
            improved = true;
          }
        }
      }
      if (!improved) step /= 2;
    }
    if (better(cur, best)) best = cur;
  }
  return { params: best.params, metrics: best.metrics, worstMiss: best.worst, meets: best.worst <= 1 };
}

/** How hard the balancing problem is on some levels: how many meet the targets at the defaults, how
 *  many the oracle's per-level setting meets, and on how many levels the best single oracle setting
 *  (one level's answer applied to all) meets them. */
export interface Difficulty {
  levels: number;
  atDefaults: number;
  oracle: number;
  bestShared: number;
  solutions: OracleResult[];
}

export function difficulty(levels: readonly SampleLevel[], variant: GameVariant = variants[0]!): Difficulty {
  const meetsAt = (l: SampleLevel, params: ParamValues): boolean => meetsTargets(expectedMetrics(l, params, variant));
  const solutions = levels.map((l) => oracleBalance(l, variant));
  const shared = solutions.filter((s) => s.meets).map((s) => levels.filter((l) => meetsAt(l, s.params)).length);
  return {
    levels: levels.length,
    atDefaults: levels.filter((l) => meetsAt(l, defaultParams())).length,
    oracle: solutions.filter((s) => s.meets).length,
    bestShared: Math.max(0, ...shared),
    solutions,
  };
}
