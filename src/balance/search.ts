// Batched parameter search in the ParamSpace unit cube. Per-call overhead of the predictor dwarfs
// its per-row cost, so every stage scores all its candidates in ONE predict call: a quasi-random
// sweep, then a few rounds of CMA-ES-lite from several starts (all starts' offspring together),
// then a coordinate polish (each moving param's neighbouring ints / alternative choices).
// Ints and choices are relaxed in the cube and snapped at evaluation; fixed params never move.
import type { LevelPredictor } from '../model/index.js';
import type { ParamValue, ParamValues } from '../project/types.js';
import { Rng } from '../util/rng.js';
import { snap, type SearchLayout } from './layout.js';
import { targetLoss, type TargetTerm } from './objective.js';

export interface SearchBudget {
  /** quasi-random candidates of the first sweep */
  initial: number;
  /** distinct starts refined locally */
  starts: number;
  /** offspring per start per round */
  population: number;
  rounds: number;
  /** coordinate passes at the end (each one predictor call; stops early when nothing improves) */
  polish: number;
}

export const defaultBudget: SearchBudget = { initial: 256, starts: 4, population: 16, rounds: 8, polish: 8 };

export interface Candidate {
  values: ParamValues;
  x: Float32Array;
  loss: number;
}

export interface SearchResult {
  best: Candidate;
  /** every distinct snapped candidate scored (for suggest), best first */
  pool: Candidate[];
  predictorCalls: number;
}

/** Scores snapped candidates at the most likely context, in one predictor call. */
export class Scorer {
  calls = 0;
  constructor(
    private readonly predictor: LevelPredictor,
    private readonly terms: readonly TargetTerm[],
    private readonly dim: number,
  ) {}

  score(points: { values: ParamValues; x: Float32Array }[]): Candidate[] {
    if (points.length === 0) return [];
    const x = new Float32Array(points.length * this.dim);
    points.forEach((p, i) => x.set(p.x, i * this.dim));
    const { mode } = this.predictor.predict(x, points.length);
    this.calls++;
    const M = this.predictor.metrics.length;
    return points.map((p, i) => ({ ...p, loss: targetLoss(this.terms, mode, i * M) }));
  }
}

export function searchParams(
  layout: SearchLayout,
  predictor: LevelPredictor,
  terms: readonly TargetTerm[],
  seed = 0,
  budget: SearchBudget = defaultBudget,
): SearchResult {
  const rng = new Rng(seed);
  const scorer = new Scorer(predictor, terms, layout.space.dim);
  const seen = new Map<string, Candidate>();
  const keep = (cs: Candidate[]): void => {
    for (const c of cs) if (!seen.has(keyOf(c.x))) seen.set(keyOf(c.x), c);
  };
  const base = snap(layout, layout.baseX);
  const dims = layout.movingDimIndex;
  if (dims.length === 0) {
    const only = scorer.score([base]);
    return { best: only[0]!, pool: only, predictorCalls: scorer.calls };
  }

  // Sweep: the base setting plus quasi-random points over the moving dims.
  const sweep = [base, ...quasiRandom(budget.initial - 1, dims.length, rng).map((u) => snap(layout, lift(layout, dims, u)))];
  const scored = scorer.score(sweep);
  keep(scored);

  // Local refinement from the best distinct sweep points.
  // (1+λ)-ES per start, sigma by a success rule: the parent is the best relaxed point so far, so
  // ints and choices are crossed smoothly and an improvement is never lost.
  const starts = distinctBest(scored, budget.starts).map((c) => ({ parent: pick(c.x, dims), sigma: 0.1, best: c }));
  for (let round = 0; round < budget.rounds; round++) {
    const raws: Float64Array[] = [];
    for (const s of starts) {
      for (let k = 0; k < budget.population; k++) {
        const r = new Float64Array(dims.length);
        for (let j = 0; j < dims.length; j++) r[j] = clamp01(s.parent[j]! + s.sigma * rng.normal());
        raws.push(r);
      }
    }
    const offspring = scorer.score(raws.map((r) => snap(layout, lift(layout, dims, r))));
    keep(offspring);
    starts.forEach((s, si) => {
      let top = -1;
      for (let k = si * budget.population; k < (si + 1) * budget.population; k++) {
        if (offspring[k]!.loss < (top < 0 ? s.best.loss : offspring[top]!.loss)) top = k;
      }
      if (top >= 0) {
        s.best = offspring[top]!;
        s.parent = raws[top]!;
        s.sigma = Math.min(0.3, s.sigma * 1.2);
      } else {
        s.sigma = Math.max(0.002, s.sigma * 0.5);
      }
    });
  }

  // Polish the overall best one param at a time (neighbour ints, other choices, small float steps).
  let best = [...seen.values()].reduce((a, b) => (b.loss < a.loss ? b : a));
  for (let pass = 0; pass < budget.polish; pass++) {
    const polished = scorer.score(coordinateNeighbours(layout, best.values));
    keep(polished);
    const top = polished.reduce((a, b) => (b.loss < a.loss ? b : a), best);
    if (top === best) break;
    best = top;
  }
  const pool = [...seen.values()].sort((a, b) => a.loss - b.loss);
  return { best: pool[0]!, pool, predictorCalls: scorer.calls };
}

const FLOAT_STEPS = [0.03, 0.01, 0.003, 0.001];

/** Settings differing from `values` in one moving param: ±1 for ints, every other choice/bool, a few ±steps for floats. */
function coordinateNeighbours(layout: SearchLayout, values: ParamValues): { values: ParamValues; x: Float32Array }[] {
  const out: { values: ParamValues; x: Float32Array }[] = [];
  const x0 = layout.space.encode(values);
  layout.params.forEach((p, i) => {
    if (!layout.moving[i]) return;
    const v = values[p.name]!;
    let alts: ParamValue[];
    if (p.type === 'choice') alts = p.choices.filter((c) => c !== v);
    else if (p.type === 'bool') alts = [!v];
    else if (p.type === 'int') alts = [(v as number) - 1, (v as number) + 1].filter((n) => n >= p.min && n <= p.max);
    else alts = [];
    for (const a of alts) out.push(snap(layout, layout.space.encode({ ...values, [p.name]: a })));
    const dim = layout.dimsOf[i]![0];
    if (p.type === 'float' && dim !== undefined) {
      // Step in the cube so log-scaled params move proportionally.
      for (const step of FLOAT_STEPS) {
        for (const sign of [-1, 1]) {
          const raw = Float64Array.from(x0);
          raw[dim] = clamp01(raw[dim]! + sign * step);
          out.push(snap(layout, raw));
        }
      }
    }
  });
  return out;
}

/** `count` best candidates that are not the same snapped setting. */
export function distinctBest(cs: readonly Candidate[], count: number): Candidate[] {
  const sorted = [...cs].sort((a, b) => a.loss - b.loss);
  const out: Candidate[] = [];
  const keys = new Set<string>();
  for (const c of sorted) {
    const k = keyOf(c.x);
    if (keys.has(k)) continue;
    keys.add(k);
    out.push(c);
    if (out.length === count) break;
  }
  return out;
}

/**
 * A shifted Kronecker (R_d) sequence: low discrepancy in any dimension, cheap, and the random
 * shift makes it seeded rather than fixed.
 */
export function quasiRandom(n: number, dims: number, rng: Rng): Float64Array[] {
  let phi = 2;
  for (let i = 0; i < 30; i++) phi = Math.pow(1 + phi, 1 / (dims + 1));
  const alpha = Array.from({ length: dims }, (_, j) => Math.pow(1 / phi, j + 1) % 1);
  const shift = Array.from({ length: dims }, () => rng.next());
  return Array.from({ length: n }, (_, i) => {
    const u = new Float64Array(dims);
    for (let j = 0; j < dims; j++) u[j] = (shift[j]! + (i + 1) * alpha[j]!) % 1;
    return u;
  });
}

/** A full cube point: the base encoding with the moving dims replaced by `u`. */
export function lift(layout: SearchLayout, dims: readonly number[], u: ArrayLike<number>): Float64Array {
  const raw = Float64Array.from(layout.baseX);
  dims.forEach((d, j) => (raw[d] = u[j]!));
  return raw;
}

function pick(x: ArrayLike<number>, dims: readonly number[]): Float64Array {
  return Float64Array.from(dims, (d) => x[d]!);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function keyOf(x: ArrayLike<number>): string {
  return Array.prototype.map.call(x, (v: number) => v.toFixed(5)).join(',');
}
