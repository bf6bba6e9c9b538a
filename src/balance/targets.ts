// The design-target objective: how far predicted metrics are from the targets, whether they meet
// them, and how likely they truly do given the model's draws. Pure functions over flat arrays so the
// search can score hundreds of candidates from one predictor call without allocating per row.
import type { Project } from '../project/types.js';
import { columnName } from './segments.js';

export interface TargetTerm {
  /** the prediction column: the metric's name, or `METRIC@SEGMENT` for a segment's target */
  metric: string;
  /** index of the metric in a prediction row (project.metrics order) */
  index: number;
  target: number;
  tolerance: number;
  weight: number;
}

export interface MetricPrediction {
  mean: number;
  std: number;
}

export function targetTerms(project: Project, metrics: readonly string[]): TargetTerm[] {
  return project.targets.map((t) => {
    const column = columnName(t.metric, t.segment);
    const index = metrics.indexOf(column);
    if (index < 0) throw new Error(`target names metric "${t.metric}"${t.segment === undefined ? '' : ` for segment "${t.segment}"`}, which the model does not predict`);
    return { metric: column, index, target: t.target, tolerance: t.tolerance, weight: t.weight };
  });
}

/** Σ weight·((value − target)/tolerance)² for the row of M metric values starting at `offset`. */
export function targetLoss(terms: readonly TargetTerm[], values: ArrayLike<number>, offset = 0): number {
  let loss = 0;
  for (const t of terms) {
    const z = (values[offset + t.index]! - t.target) / t.tolerance;
    loss += t.weight * z * z;
  }
  return loss;
}

/** Every target within target ± tolerance (the contract's definition of "met"; a rounding hair of slack). */
export function meetsTargets(terms: readonly TargetTerm[], values: ArrayLike<number>, offset = 0): boolean {
  return terms.every((t) => Math.abs(values[offset + t.index]! - t.target) <= t.tolerance * (1 + 1e-9));
}

/**
 * Probability that every target is truly met, from S draws of the expected metrics of ONE
 * candidate (draws[offset + s*M + m]): the mean over the draws of Π over targets of P(target met),
 * each draw blurred by an independent normal model error (blurScale × the draws' own spread for
 * that metric). The draws are calibrated where the level was playtested, but pMeet is asked where
 * the search went, where the model's own error adds to the posterior's; averaging over draws keeps
 * the metrics' correlation through the context; the blur also makes pMeet smooth instead of a
 * count of 12. One pseudo-draw at 1/2 keeps a finite number of draws from claiming certainty.
 */
export function pMeetFromDraws(
  terms: readonly TargetTerm[],
  draws: ArrayLike<number>,
  samples: number,
  metricCount: number,
  offset = 0,
  blurScale = MODEL_ERROR_SCALE,
): number {
  const hits = drawHits(terms, draws, samples, metricCount, offset, blurScale);
  let sum = 0;
  for (let s = 0; s < samples; s++) sum += hits[s]!;
  return (sum + 0.5) / (samples + 1);
}

/**
 * Per draw, the probability that every target is met at it: each metric's miss blurred by the
 * draws' own spread (the model error they do not show), the targets taken as independent.
 */
export function drawHits(
  terms: readonly TargetTerm[],
  draws: ArrayLike<number>,
  samples: number,
  metricCount: number,
  offset = 0,
  blurScale = MODEL_ERROR_SCALE,
): Float64Array {
  const blur = termBlur(terms, draws, samples, metricCount, offset, blurScale);
  const hits = new Float64Array(samples);
  for (let s = 0; s < samples; s++) hits[s] = drawHit(terms, blur, draws, offset + s * metricCount);
  return hits;
}

/** Each target's blur at one candidate (the search scores every candidate: no closures here). */
function termBlur(terms: readonly TargetTerm[], draws: ArrayLike<number>, samples: number, metricCount: number, offset: number, blurScale: number): Float64Array {
  const blur = new Float64Array(terms.length);
  for (let j = 0; j < terms.length; j++) blur[j] = drawSpread(draws, samples, metricCount, offset, terms[j]!.index) * blurScale;
  return blur;
}

/** The probability that every target is met at the draw whose metrics start at draws[at]. */
function drawHit(terms: readonly TargetTerm[], blur: Float64Array, draws: ArrayLike<number>, at: number): number {
  let p = 1;
  for (let j = 0; j < terms.length; j++) {
    const t = terms[j]!;
    p *= withinTolerance(draws[at + t.index]! - t.target, t.tolerance, blur[j]!);
  }
  return p;
}

/**
 * The blur's sd in units of the draws' sd. Chosen by log-loss of pMeet against the truth on
 * validation corpora the benchmark does not report (`node dist/bench/tune.js --variants 0,1` and
 * `--variants 2,3`, `--seeds 11,12 --stay-near 10 --blur 0.5,0.7,0.85,1,1.2,1.41`: 8 corpora, 4
 * variants, 240 levels × K = 2, 5, 10): a flat optimum between 0.7 and 0.85. (Before the balancer
 * preferred small changes, its settings lay further from the data and the optimum was 1.2–1.4.)
 */
export const MODEL_ERROR_SCALE = 0.8;

/** P(|miss + e| ≤ tolerance) for e ~ N(0, sd²); a hard check when sd is 0. */
function withinTolerance(miss: number, tolerance: number, sd: number): number {
  const hi = tolerance * (1 + 1e-9);
  if (!(sd > 0)) return Math.abs(miss) <= hi ? 1 : 0;
  return normalCdf((hi - miss) / sd) - normalCdf((-hi - miss) / sd);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function drawSpread(draws: ArrayLike<number>, samples: number, metricCount: number, offset: number, m: number): number {
  let sum = 0;
  let sq = 0;
  for (let s = 0; s < samples; s++) {
    const v = draws[offset + s * metricCount + m]!;
    sum += v;
    sq += v * v;
  }
  const mean = sum / samples;
  return Math.sqrt(Math.max(0, sq / samples - mean * mean));
}

/** Per-metric mean (the mode prediction) and std (spread of the draws) for one candidate. */
export function metricPredictions(
  metrics: readonly string[],
  mode: ArrayLike<number>,
  modeOffset: number,
  draws: ArrayLike<number> | undefined,
  samples: number,
  drawsOffset: number,
): Record<string, MetricPrediction> {
  const out: Record<string, MetricPrediction> = {};
  const M = metrics.length;
  metrics.forEach((name, m) => {
    const std = draws && samples > 1 ? drawSpread(draws, samples, M, drawsOffset, m) : 0;
    out[name] = { mean: mode[modeOffset + m]!, std };
  });
  return out;
}
