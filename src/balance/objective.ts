// The design-target objective: how far predicted metrics are from the targets, whether they meet
// them, and how likely they truly do given the model's draws. Pure functions over flat arrays so the
// search can score hundreds of candidates from one predictor call without allocating per row.
import type { Project } from '../project/types.js';

export interface TargetTerm {
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
    const index = metrics.indexOf(t.metric);
    if (index < 0) throw new Error(`target names metric "${t.metric}", which the model does not predict`);
    return { metric: t.metric, index, target: t.target, tolerance: t.tolerance, weight: t.weight };
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
 * candidate (draws[offset + s*M + m]). The share of draws meeting all targets, shrunk slightly
 * toward 1/2 so that a finite number of draws never claims certainty.
 */
export function pMeetFromDraws(
  terms: readonly TargetTerm[],
  draws: ArrayLike<number>,
  samples: number,
  metricCount: number,
  offset = 0,
): number {
  let hits = 0;
  for (let s = 0; s < samples; s++) if (meetsTargets(terms, draws, offset + s * metricCount)) hits++;
  return (hits + 0.5) / (samples + 1);
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
    let std = 0;
    if (draws && samples > 1) {
      let sum = 0;
      let sq = 0;
      for (let s = 0; s < samples; s++) {
        const v = draws[drawsOffset + s * M + m]!;
        sum += v;
        sq += v * v;
      }
      const mean = sum / samples;
      std = Math.sqrt(Math.max(0, sq / samples - mean * mean));
    }
    out[name] = { mean: mode[modeOffset + m]!, std };
  });
  return out;
}
