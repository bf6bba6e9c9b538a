// Which playtests most raise the chance that the NEXT recommendation meets every target: a
// knowledge gradient over the predictor's joint draws. One draw is one hypothesis about the level
// (its context and residual), shared by every candidate setting, so a playtest's outcome at one
// setting reweights the hypotheses and with them every other setting's pMeet. For a planned batch
// (how many playtests at which candidates) we imagine its outcomes under each hypothesis in turn
// (a fantasy: that hypothesis's expected metrics plus playtest noise), reweight the hypotheses by
// the fantasy's likelihood, let the balancer pick its recommendation under the new weights (its
// own objective: −log pMeet plus what it adds for staying near the current settings), and average
// that recommendation's pMeet over the fantasies. The batch is built greedily one playtest at a
// time; a setting may get several (replicates) when that is what raises the expectation most.
// Pure arithmetic on Float64Arrays: the predictor has already been called once for every candidate.
import { Rng } from '../util/rng.js';

export interface LookaheadInput {
  /** candidates, draws per candidate (hypotheses), metrics */
  n: number;
  samples: number;
  metrics: number;
  /** [n, samples, metrics] expected metrics under each hypothesis */
  draws: ArrayLike<number>;
  /** [n, metrics] one playtest's noise variance around the expected metric (0 where unknown) */
  noise: ArrayLike<number>;
  /** [n, samples] probability that the candidate meets every target under each hypothesis */
  hits: ArrayLike<number>;
  /** [n] what the balancer adds to −log pMeet for each candidate */
  extra: ArrayLike<number>;
}

export interface BatchPlan {
  /** candidate index of each planned playtest, in the order they were chosen */
  picks: number[];
  /** pMeet of the recommendation now, and its expectation after the batch */
  before: number;
  after: number;
}

/** Fantasies per hypothesis: outcomes imagined under each draw. */
const FANTASIES_PER_DRAW = 6;
/** The draws are a finite sample of the posterior: each hypothesis stands for a neighbourhood this wide (× its spread). */
const BANDWIDTH = 0.5;
const PMEET_FLOOR = 1e-3;

export function planBatch(input: LookaheadInput, options: readonly number[], count: number, seed: number): BatchPlan {
  const { n, samples: S, metrics: M, draws, noise } = input;
  const F = S * FANTASIES_PER_DRAW;
  // every candidate's fantasy noise is fixed once (common random numbers): batches differ only in where they play
  const eps = new Map<number, Float64Array>();
  const normals = (c: number): Float64Array => {
    let e = eps.get(c);
    if (!e) {
      const rng = new Rng(seed).fork(`lookahead-${c}`);
      e = Float64Array.from({ length: F * M }, () => rng.normal());
      eps.set(c, e);
    }
    return e;
  };
  const bandwidth = new Float64Array(n * M);
  for (let c = 0; c < n; c++) {
    for (let m = 0; m < M; m++) {
      let sum = 0;
      let sq = 0;
      for (let s = 0; s < S; s++) {
        const v = draws[(c * S + s) * M + m]!;
        sum += v;
        sq += v * v;
      }
      const mean = sum / S;
      bandwidth[c * M + m] = BANDWIDTH ** 2 * Math.max(0, sq / S - mean * mean);
    }
  }

  const counts = new Map<number, number>();
  const logW = new Float64Array(S);
  const w = new Float64Array(S);
  /** Expected pMeet of the next recommendation after the playtests in `counts`. */
  const value = (): number => {
    let total = 0;
    for (let f = 0; f < F; f++) {
      const truth = f % S;
      logW.fill(0);
      for (const [c, k] of counts) {
        const e = normals(c);
        for (let m = 0; m < M; m++) {
          const noiseVar = noise[c * M + m]! / k;
          const observed = draws[(c * S + truth) * M + m]! + Math.sqrt(noiseVar) * e[f * M + m]!;
          const v = noiseVar + bandwidth[c * M + m]!;
          if (!(v > 0)) continue;
          for (let s = 0; s < S; s++) logW[s]! -= (0.5 * (observed - draws[(c * S + s) * M + m]!) ** 2) / v;
        }
      }
      let max = -Infinity;
      for (let s = 0; s < S; s++) max = Math.max(max, logW[s]!);
      let sum = 0;
      for (let s = 0; s < S; s++) sum += w[s] = Math.exp(logW[s]! - max);
      for (let s = 0; s < S; s++) w[s]! /= sum;
      total += recommend(input, w);
    }
    return total / F;
  };

  const before = recommend(input, null);
  const picks: number[] = [];
  let after = before;
  for (let k = 0; k < count; k++) {
    let best = -1;
    let bestValue = -Infinity;
    for (const c of options) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const v = value();
      if (v > bestValue + 1e-12) {
        bestValue = v;
        best = c;
      }
      const left = counts.get(c)! - 1;
      if (left === 0) counts.delete(c);
      else counts.set(c, left);
    }
    counts.set(best, (counts.get(best) ?? 0) + 1);
    picks.push(best);
    after = bestValue;
  }
  return { picks, before, after };
}

/**
 * pMeet of the candidate the balancer would recommend under hypothesis weights w (null: uniform),
 * with pMeetFromDraws's pseudo-draw at 1/2.
 */
function recommend(input: LookaheadInput, w: Float64Array | null): number {
  const { n, samples: S, hits, extra } = input;
  let bestScore = Infinity;
  let bestP = 0;
  for (let c = 0; c < n; c++) {
    let mean = 0;
    for (let s = 0; s < S; s++) mean += (w ? w[s]! : 1 / S) * hits[c * S + s]!;
    const p = (S * mean + 0.5) / (S + 1);
    const score = -Math.log(p + PMEET_FLOOR) + extra[c]!;
    if (score < bestScore) {
      bestScore = score;
      bestP = p;
    }
  }
  return bestP;
}
