// Scores on held-out levels: adapt on the first few playtests, score the rest. The same scores
// pick the early-stopping point and fit the spread calibration.
import { sliceRows, type LevelRows } from './data.js';
import { adaptRows } from './adapt.js';
import type { MetaModel } from './model.js';

/**
 * Mean predictive negative log-likelihood per held-out playtest (lower is better); with `method`
 * 'none' the levels are not adapted (the shared network at the prior context).
 */
export function validationNll(model: MetaModel, val: readonly LevelRows[], method: 'context' | 'none' = 'context'): number {
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const K = model.config.valAdapt;
  let total = 0;
  let count = 0;
  for (const l of val) {
    const pred = adaptRows(model, sliceRows(l, 0, K, P, M), method);
    const ll = pred.logLikRows(sliceRows(l, K, l.rows, P, M));
    pred.dispose();
    for (const v of ll) total -= v;
    count += ll.length;
  }
  return count > 0 ? total / count : NaN;
}

/**
 * Per-metric factors that widen (or narrow) the draws' spread so it matches the held-out error
 * of the expected value. The error that matters is a level's systematic one (what the context
 * posterior is uncertain about), so it is measured per level: with r̄ the mean residual
 * (observed − predicted mean) over a level's scored playtests and σ²ₙ their predicted playtest
 * noise, E[r̄²] − Σσ²ₙ/n² estimates the squared error of the level's mean prediction, which the
 * variance of that mean across the draws should equal. Pooled over K ∈ {0, 2, 5, 10, 20}.
 */
export function fitCalibration(model: MetaModel, val: readonly LevelRows[]): number[] {
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const err = new Float64Array(M);
  const spread = new Float64Array(M);
  const pos = model.outputs.position;
  for (const K of [0, 2, 5, 10, 20]) {
    for (const l of val) {
      if (l.rows <= K + 2) continue;
      const pred = adaptRows(model, sliceRows(l, 0, K, P, M), 'context');
      const test = sliceRows(l, K, l.rows, P, M);
      const { draws, noiseVar } = pred.rawDraws(test.x, test.rows);
      pred.dispose();
      const S = pred.samples;
      for (let j = 0; j < M; j++) {
        const k = pos[j]!;
        let n = 0;
        let resid = 0;
        let noise = 0;
        const drawMean = new Float64Array(S);
        for (let r = 0; r < test.rows; r++) {
          if (test.obs[r * M + k]! === 0) continue;
          let mean = 0;
          for (let s = 0; s < S; s++) mean += draws[(r * S + s) * M + j]! / S;
          for (let s = 0; s < S; s++) drawMean[s]! += draws[(r * S + s) * M + j]!;
          resid += observedValue(model, j, test.y[r * M + k]!) - mean;
          noise += noiseVar[r * M + j]!;
          n++;
        }
        if (n < 3) continue;
        let dm = 0;
        for (let s = 0; s < S; s++) dm += drawMean[s]! / n / S;
        let v = 0;
        for (let s = 0; s < S; s++) v += (drawMean[s]! / n - dm) ** 2 / (S - 1);
        err[j]! += (resid / n) ** 2 - noise / (n * n);
        spread[j]! += v;
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
function observedValue(model: MetaModel, j: number, yEnc: number): number {
  const m = model.spec.metrics[j]!;
  if (m.link === 'bernoulli') return yEnc;
  const t = m.center + m.scale * yEnc;
  if (m.link === 'log') return Math.exp(t);
  if (m.link === 'log1p') return Math.expm1(t);
  return t;
}

/**
 * Candidate prior sds of a metric's per-level residual, in link units (a logit; a standardised
 * mean). None is 0: however well the shared network fits the corpus, a level's own playtests must
 * be able to win as they accumulate (a few held-out levels cannot prove the network never errs).
 */
const RESIDUAL_GRID = { rate: [0.25, 0.5, 1], gaussian: [0.1, 0.25, 0.5] };

/**
 * The per-level residual's prior sd τ per metric, chosen by the held-out levels' predictive
 * likelihood: each level adapted on its first few playtests and on two thirds of them, the rest
 * scored, one metric at a time over a small grid (the others at their current choice). Too small a τ
 * leaves a level's own evidence unable to move what the context cannot; too large a τ lets a few
 * noisy playtests pull the prediction away from what the corpus knows — both cost likelihood.
 */
export function fitResidualSd(model: MetaModel, val: readonly LevelRows[]): number[] {
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const splits = val.flatMap((l) =>
    [model.config.valAdapt, Math.round((2 * l.rows) / 3)]
      .filter((k, i, ks) => k < l.rows - 1 && ks.indexOf(k) === i)
      .map((k) => ({ fit: sliceRows(l, 0, k, P, M), scored: sliceRows(l, k, l.rows, P, M) })),
  );
  const score = (residualSd: readonly number[]): number => {
    const variant = model.with({ residualSd });
    let total = 0;
    for (const s of splits) {
      const pred = adaptRows(variant, s.fit, 'context');
      for (const v of pred.logLikRows(s.scored)) total -= v;
      pred.dispose();
    }
    return total;
  };
  const gridOf = (k: number): readonly number[] => (model.outputs.metrics[k]!.kind === 'rate' ? RESIDUAL_GRID.rate : RESIDUAL_GRID.gaussian);
  const tau = model.outputs.metrics.map((_, k) => gridOf(k)[0]!);
  if (splits.length === 0) return tau;
  let best = score(tau);
  for (let k = 0; k < M; k++) {
    const grid = gridOf(k);
    const start = tau[k]!;
    for (const t of grid) {
      if (t === start) continue;
      const s = score(tau.map((v, i) => (i === k ? t : v)));
      if (s < best) {
        best = s;
        tau[k] = t;
      }
    }
  }
  return tau;
}
