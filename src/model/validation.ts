// Scores on held-out levels: adapt on the first few playtests, score the rest. The same scores
// pick the early-stopping point and fit the spread calibration.
import { sliceRows, type LevelRows } from './data.js';
import { adaptRows } from './adapt.js';
import type { Model } from './model.js';

/** Mean predictive negative log-likelihood per held-out playtest (lower is better). */
export function validationNll(model: Model, val: readonly LevelRows[]): number {
  const P = model.shape.params;
  const M = model.spec.metrics.length;
  const K = model.config.valAdapt;
  let total = 0;
  let count = 0;
  for (const l of val) {
    const pred = adaptRows(model, sliceRows(l, 0, K, P, M), 'context');
    const ll = pred.logLikRows(sliceRows(l, K, l.rows, P, M));
    pred.dispose();
    for (const v of ll) total -= v;
    count += ll.length;
  }
  return count > 0 ? total / count : NaN;
}

/**
 * Per-metric factors that widen (or narrow) the draws' spread so it matches the held-out error
 * of the expected value: with r = observed − predicted mean and σ²_noise the model's playtest
 * noise, E[r²] − E[σ²_noise] estimates the squared error of the expected value, which the draws'
 * variance should equal. Pooled over K ∈ {0, 2, 5, 10} adaptation playtests.
 */
export function fitCalibration(model: Model, val: readonly LevelRows[]): number[] {
  const P = model.shape.params;
  const M = model.spec.metrics.length;
  const err = new Float64Array(M);
  const spread = new Float64Array(M);
  const pos = model.layout.position;
  for (const K of [0, 2, 5, 10]) {
    for (const l of val) {
      if (l.rows <= K) continue;
      const pred = adaptRows(model, sliceRows(l, 0, K, P, M), 'context');
      const test = sliceRows(l, K, l.rows, P, M);
      const { draws, noiseVar } = pred.rawDraws(test.x, test.rows);
      pred.dispose();
      const S = pred.samples;
      for (let r = 0; r < test.rows; r++) {
        for (let j = 0; j < M; j++) {
          const k = pos[j]!;
          if (test.obs[r * M + k]! === 0) continue;
          const y = observedValue(model, j, test.y[r * M + k]!);
          let mean = 0;
          for (let s = 0; s < S; s++) mean += draws[(r * S + s) * M + j]!;
          mean /= S;
          let v = 0;
          for (let s = 0; s < S; s++) v += (draws[(r * S + s) * M + j]! - mean) ** 2;
          err[j]! += (y - mean) ** 2 - noiseVar[r * M + j]!;
          spread[j]! += v / (S - 1);
        }
      }
    }
  }
  return Array.from({ length: M }, (_, j) => {
    if (!(spread[j]! > 0)) return 1;
    const c = Math.sqrt(Math.max(0, err[j]!) / spread[j]!);
    return Math.min(10, Math.max(0.5, c));
  });
}

/** A stored target back in the metric's own units. */
function observedValue(model: Model, j: number, yEnc: number): number {
  const m = model.spec.metrics[j]!;
  if (m.link === 'bernoulli') return yEnc;
  const t = m.center + m.scale * yEnc;
  if (m.link === 'log') return Math.exp(t);
  if (m.link === 'log1p') return Math.expm1(t);
  return t;
}
