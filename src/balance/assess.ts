// What the model says about given settings: per-metric mean ± spread, whether the means meet the
// targets, and the calibrated probability that they truly do (from the predictor's draws).
import type { LevelPredictor, Prediction } from '../model/index.js';
import { metricPredictions, meetsTargets, pMeetFromDraws, type MetricPrediction, type TargetTerm } from './targets.js';

export interface Assessment {
  predicted: Record<string, MetricPrediction>;
  meetsTargets: boolean;
  pMeet: number;
  /**
   * More playtests at these settings until every target's expected value is known to within its
   * tolerance (95 %), each metric counted on its own: a conjugate-normal update of the model's spread
   * by one playtest's noise. The model pools what the metrics say about the level, so it usually
   * needs fewer; a model that knows no noise (an oracle) needs none.
   */
  playtestsToConfirm: number;
}

/** z of a two-sided 95 % interval */
const Z95 = 1.96;

/** Assesses N settings (rows of `x`) in one predictor call with draws. */
export function assess(predictor: LevelPredictor, terms: readonly TargetTerm[], x: Float32Array, n: number): Assessment[] {
  return assessPrediction(predictor, terms, predictor.predict(x, n, { draws: true, noise: true }), n);
}

/** Assesses N settings from the predictor's answer for them (with draws and noise), for a caller that needs that answer too. */
export function assessPrediction(predictor: LevelPredictor, terms: readonly TargetTerm[], prediction: Prediction, n: number): Assessment[] {
  const { mode, draws, noise } = prediction;
  const M = predictor.metrics.length;
  const S = draws ? predictor.samples : 1;
  // Without draws the model claims no spread; its mode is then the only draw.
  const d = draws ?? mode;
  return Array.from({ length: n }, (_, i) => {
    const predicted = metricPredictions(predictor.metrics, mode, i * M, d, S, i * S * M);
    const toConfirm = terms.map((t) => {
      const known = (t.tolerance / Z95) ** 2;
      const spread = predicted[t.metric]!.std ** 2;
      const perPlaytest = noise?.[i * M + t.index] ?? 0;
      // n playtests of noise s² shrink the spread σ² to 1 / (1/σ² + n/s²); solve for ≤ known
      return spread <= known || perPlaytest <= 0 ? 0 : Math.ceil(perPlaytest * (1 / known - 1 / spread));
    });
    return {
      predicted,
      meetsTargets: meetsTargets(terms, mode, i * M),
      pMeet: pMeetFromDraws(terms, d, S, M, i * S * M),
      playtestsToConfirm: Math.max(0, ...toConfirm),
    };
  });
}
