// What the model says about given settings: per-metric mean ± spread, whether the means meet the
// targets, and the calibrated probability that they truly do (from the predictor's draws).
import type { LevelPredictor } from '../model/index.js';
import { metricPredictions, meetsTargets, pMeetFromDraws, type MetricPrediction, type TargetTerm } from './targets.js';

export interface Assessment {
  predicted: Record<string, MetricPrediction>;
  meetsTargets: boolean;
  pMeet: number;
  /** Σ weight·Var(metric)/tolerance² over the targeted metrics: how unsure the model is where it matters */
  doubt: number;
}

/** Assesses N settings (rows of `x`) in one predictor call with draws. */
export function assess(predictor: LevelPredictor, terms: readonly TargetTerm[], x: Float32Array, n: number): Assessment[] {
  const { mode, draws } = predictor.predict(x, n, { draws: true });
  const M = predictor.metrics.length;
  const S = draws ? predictor.samples : 1;
  // Without draws the model claims no spread; its mode is then the only draw.
  const d = draws ?? mode;
  return Array.from({ length: n }, (_, i) => {
    const predicted = metricPredictions(predictor.metrics, mode, i * M, d, S, i * S * M);
    const doubt = terms.reduce((acc, t) => acc + (t.weight * predicted[t.metric]!.std ** 2) / t.tolerance ** 2, 0);
    return {
      predicted,
      meetsTargets: meetsTargets(terms, mode, i * M),
      pMeet: pMeetFromDraws(terms, d, S, M, i * S * M),
      doubt,
    };
  });
}
