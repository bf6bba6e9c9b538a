// Batched parameter search in the ParamSpace unit cube. Per-call overhead of the predictor dwarfs
// its per-row cost, so every stage scores all its candidates in ONE predict call: a quasi-random
// sweep; rounds of a (1+λ)-ES (step size up on success, down otherwise) from the best candidate of
// each distinct setting of the discrete params, all starts' offspring together, the worse half of
// the starts dropped every two rounds; the best's discrete neighbours re-fitted with a few ES
// rounds on the continuous params; then a coordinate polish (each moving param's neighbouring
// ints, alternative choices and small float steps). Ints and choices are relaxed in the cube and
// snapped at evaluation; params that do not move (Moves) are never changed.
import type { LevelPredictor } from '../model/index.js';
import type { Param, ParamValue, ParamValues } from '../project/types.js';
import { Rng } from '../util/rng.js';
import { snap, type Moves } from './moves.js';
import { pMeetFromDraws, targetLoss, type TargetTerm } from './targets.js';

export interface SearchBudget {
  /** quasi-random candidates of the first sweep */
  initial: number;
  /** distinct starts refined locally (halved every two rounds down to two) */
  starts: number;
  /** offspring per start per round */
  population: number;
  rounds: number;
  /** coordinate passes at the end (each one predictor call; stops early when nothing improves) */
  polish: number;
}

export const defaultBudget: SearchBudget = { initial: 256, starts: 16, population: 8, rounds: 10, polish: 8 };

/** What the search minimises besides staying near the base setting. */
export type SearchObjective = 'pmeet' | 'loss';

/**
 * 'pmeet' (the default): −log of the probability that every target is truly met, over the
 * predictor's draws of the level's context and the model's own error, so the search trades how
 * close the predicted metrics come against how sure the model is there: settings far from
 * anything this level or the corpus played spread wide and score low on their own, without a
 * fixed penalty on moving. 'loss': the squared target misses at the most likely context alone.
 */
export const DEFAULT_OBJECTIVE: SearchObjective = 'pmeet';

/**
 * Weight of the squared unit-cube distance from the level's base setting. Under the pMeet
 * objective it stands for the model error that the draws do not show (the network's own bias grows
 * away from what the corpus played): moving one param across half its range costs as much as pMeet
 * falling by a factor of e^0.5. Chosen on corpora the benchmark does not use (`node
 * dist/bench/tune.js --variants 0,1,2 --seeds 11 --past 200 --per 30 --test 60 --k 6 --prox 2,10
 * --objective pmeet,loss`; hit rate / mean true loss over 3 × 60 held-out levels, mean ± sd over
 * the 3 runs): pMeet with weight 2: 22.8 ± 9.6 % / 6.61; weight 10: 18.9 % / 5.73; squared misses
 * with weight 10 (the previous default): 19.4 ± 8.2 % / 6.41; with weight 2: 21.1 % / 8.19.
 */
export const DEFAULT_PROXIMITY = 2;

/**
 * Weight of the target loss at the most likely context under the pMeet objective: it orders
 * settings whose pMeet is saturated — all ≈ 1, or all ≈ 0 because some target is out of reach,
 * where getting closer to the others still matters to a designer.
 */
const TIE_BREAK = 0.1;
/** pMeet is floored here inside the log so that hopeless settings still rank by their target loss. */
const PMEET_FLOOR = 1e-3;

export interface Candidate {
  values: ParamValues;
  x: Float32Array;
  /** what the search minimises: the objective plus the proximity term */
  loss: number;
  /** the target loss alone, at the most likely context */
  targetLoss: number;
}

export interface SearchResult {
  best: Candidate;
  /** every distinct snapped candidate scored (for suggest), best first */
  pool: Candidate[];
  predictorCalls: number;
}

/**
 * Scores snapped candidates in one predictor call: the objective plus `proximity` × the squared
 * cube distance of the moving dims from the base setting.
 */
class Scorer {
  calls = 0;
  constructor(
    private readonly predictor: LevelPredictor,
    private readonly terms: readonly TargetTerm[],
    private readonly layout: Moves,
    private readonly proximity: number,
    private readonly objective: SearchObjective,
  ) {}

  score(points: { values: ParamValues; x: Float32Array }[]): Candidate[] {
    if (points.length === 0) return [];
    const dim = this.layout.space.dim;
    const x = new Float32Array(points.length * dim);
    points.forEach((p, i) => x.set(p.x, i * dim));
    // one draw carries no spread: pMeet would be a step function, so the squared misses decide
    const withDraws = this.objective === 'pmeet' && this.predictor.samples > 1;
    const { mode, draws } = this.predictor.predict(x, points.length, { draws: withDraws });
    this.calls++;
    const M = this.predictor.metrics.length;
    const S = this.predictor.samples;
    return points.map((p, i) => {
      const target = targetLoss(this.terms, mode, i * M);
      const stay = this.proximity * this.moved(p.x);
      if (withDraws && draws) {
        const q = pMeetFromDraws(this.terms, draws, S, M, i * S * M);
        return { ...p, loss: -Math.log(q + PMEET_FLOOR) + TIE_BREAK * target + stay, targetLoss: target };
      }
      return { ...p, loss: target + stay, targetLoss: target };
    });
  }

  private moved(x: Float32Array): number {
    let s = 0;
    for (const d of this.layout.movingDimIndex) s += (x[d]! - this.layout.baseX[d]!) ** 2;
    return s;
  }
}

export function searchParams(
  layout: Moves,
  predictor: LevelPredictor,
  terms: readonly TargetTerm[],
  seed = 0,
  budget: SearchBudget = defaultBudget,
  proximity = DEFAULT_PROXIMITY,
  objective: SearchObjective = DEFAULT_OBJECTIVE,
): SearchResult {
  const rng = new Rng(seed);
  const scorer = new Scorer(predictor, terms, layout, proximity, objective);
  const seen = new Map<number, Candidate>();
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

  // Local refinement from starts that differ in their discrete settings, with successive halving.
  const ctx: RefineContext = { layout, dims, rng, scorer, keep, population: budget.population };
  const allDims = new Uint8Array(dims.length).fill(1);
  const starts = bestPerDiscreteSetting(layout, scored, budget.starts).map((c) => newStart(c, dims, allDims, 0.1));
  refine(ctx, starts, budget.rounds, true);

  // Discrete neighbours of the best (another choice, a flipped bool, a nearby few-valued int)
  // rarely win on their own: the continuous params must move with them. Re-fit those first.
  const continuous = continuousMask(layout, dims);
  for (let pass = 0; pass < DISCRETE_PASSES && continuous.some((m) => m === 1); pass++) {
    const incumbent = [...seen.values()].reduce((a, b) => (b.loss < a.loss ? b : a));
    const neighbours = scorer.score(discreteNeighbours(layout, incumbent.values));
    keep(neighbours);
    const refit = refine(ctx, neighbours.map((c) => newStart(c, dims, continuous, 0.05)), DISCRETE_ROUNDS, false);
    if (!refit.some((st) => st.best.loss < incumbent.loss)) break;
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

interface RefineContext {
  layout: Moves;
  dims: readonly number[];
  rng: Rng;
  scorer: Scorer;
  keep: (cs: Candidate[]) => void;
  population: number;
}

/** A (1+λ)-ES state: the parent is the best relaxed point so far, so an improvement is never lost. */
interface Start {
  parent: Float64Array;
  sigma: number;
  best: Candidate;
  /** per moving dim: 1 if it mutates */
  mutable: Uint8Array;
}

function newStart(c: Candidate, dims: readonly number[], mutable: Uint8Array, sigma: number): Start {
  return { parent: pick(c.x, dims), sigma, best: c, mutable };
}

/**
 * `rounds` of a (1+λ)-ES for every start, all starts' offspring in one predictor call per round;
 * sigma grows on success and shrinks otherwise. Relaxed ints and choices are crossed smoothly
 * (offspring are snapped only to be scored). With `halving`, the worse half of the starts is
 * dropped every HALVING_ROUNDS rounds, so many starts get a fair local fit for little cost.
 */
function refine(ctx: RefineContext, initial: Start[], rounds: number, halving: boolean): Start[] {
  const { layout, dims, rng, scorer, population } = ctx;
  let starts = initial;
  for (let round = 0; round < rounds && starts.length > 0; round++) {
    if (halving && round > 0 && round % HALVING_ROUNDS === 0 && starts.length > MIN_STARTS) {
      starts = starts.sort((a, b) => a.best.loss - b.best.loss).slice(0, Math.max(MIN_STARTS, starts.length >> 1));
    }
    const raws: Float64Array[] = [];
    for (const s of starts) {
      for (let k = 0; k < population; k++) {
        const r = Float64Array.from(s.parent);
        for (let j = 0; j < dims.length; j++) if (s.mutable[j]) r[j] = clamp01(r[j]! + s.sigma * rng.normal());
        raws.push(r);
      }
    }
    const offspring = scorer.score(raws.map((r) => snap(layout, lift(layout, dims, r))));
    ctx.keep(offspring);
    starts.forEach((s, si) => {
      let top = -1;
      for (let k = si * population; k < (si + 1) * population; k++) {
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
  return starts;
}

function isDiscrete(p: Param): boolean {
  return p.type === 'choice' || p.type === 'bool' || (p.type === 'int' && p.max - p.min < DISCRETE_INT_VALUES);
}

/** Per moving dim: 1 when it belongs to a continuous param (a float or a many-valued int). */
function continuousMask(layout: Moves, dims: readonly number[]): Uint8Array {
  const mask = new Uint8Array(dims.length);
  layout.params.forEach((p, i) => {
    if (!layout.moving[i] || isDiscrete(p)) return;
    for (const d of layout.dimsOf[i]!) {
      const j = dims.indexOf(d);
      if (j >= 0) mask[j] = 1;
    }
  });
  return mask;
}

/** Settings differing from `values` in one moving discrete param. */
function discreteNeighbours(layout: Moves, values: ParamValues): { values: ParamValues; x: Float32Array }[] {
  return layout.params.flatMap((p, i) => {
    if (!layout.moving[i] || !isDiscrete(p)) return [];
    return alternativesTo(p, values[p.name]!).map((a) => snap(layout, layout.space.encode({ ...values, [p.name]: a })));
  });
}

/** ±1 for an int, every other choice, the other bool; nothing for a float. */
function alternativesTo(p: Param, v: ParamValue): ParamValue[] {
  if (p.type === 'choice') return p.choices.filter((c) => c !== v);
  if (p.type === 'bool') return [!v];
  if (p.type === 'int') return [(v as number) - 1, (v as number) + 1].filter((n) => n >= p.min && n <= p.max);
  return [];
}

const FLOAT_STEPS = [0.03, 0.01, 0.003, 0.001];

/** Settings differing from `values` in one moving param: ±1 for ints, every other choice/bool, a few ±steps for floats. */
function coordinateNeighbours(layout: Moves, values: ParamValues): { values: ParamValues; x: Float32Array }[] {
  const out: { values: ParamValues; x: Float32Array }[] = [];
  const x0 = layout.space.encode(values);
  layout.params.forEach((p, i) => {
    if (!layout.moving[i]) return;
    for (const a of alternativesTo(p, values[p.name]!)) out.push(snap(layout, layout.space.encode({ ...values, [p.name]: a })));
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

const HALVING_ROUNDS = 2;
const MIN_STARTS = 2;
/** re-fits of the best's discrete neighbours (each: DISCRETE_ROUNDS predictor calls + 1) */
const DISCRETE_PASSES = 2;
const DISCRETE_ROUNDS = 4;

/** Up to this many values, an int param counts as discrete (a few settings, not a continuum). */
const DISCRETE_INT_VALUES = 12;

/**
 * The best candidate of each distinct setting of the discrete moving params (choices, bools, ints
 * with few values), best first: starts that differ where local steps cannot cross, because
 * switching a choice usually needs the continuous params to move with it.
 */
function bestPerDiscreteSetting(layout: Moves, cs: readonly Candidate[], count: number): Candidate[] {
  const discrete = layout.params.filter((p, i) => layout.moving[i] && isDiscrete(p));
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const c of [...cs].sort((a, b) => a.loss - b.loss)) {
    const signature = discrete.map((p) => String(c.values[p.name])).join('\u0000');
    if (seen.has(signature)) continue;
    seen.add(signature);
    out.push(c);
    if (out.length === count) break;
  }
  return out;
}

/** `count` best candidates that are not the same snapped setting. */
export function distinctBest(cs: readonly Candidate[], count: number): Candidate[] {
  const sorted = [...cs].sort((a, b) => a.loss - b.loss);
  const out: Candidate[] = [];
  const keys = new Set<number>();
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
function quasiRandom(n: number, dims: number, rng: Rng): Float64Array[] {
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
export function lift(layout: Moves, dims: readonly number[], u: ArrayLike<number>): Float64Array {
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

/**
 * Identity of a snapped setting: a 53-bit hash of its encoding's float bits (snapping makes equal
 * settings bit-identical). Strings of every coordinate cost more than the rest of the search.
 */
function keyOf(x: Float32Array): number {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < bits.length; i++) {
    h1 = Math.imul(h1 ^ bits[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ bits[i]!, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
