// The per-level Bayesian-optimisation baseline from scratch: what a careful designer's tool would
// do with one level's playtests and no past levels. Per metric an independent Gaussian process over
// the unit-cube settings (squared-exponential kernel, constant mean at the level's observed mean),
// its length-scale, amplitude and noise chosen by marginal likelihood over a grid; a rate is
// regressed on its 0/1 outcomes. Its draws are the posterior mean ± the posterior sd of the latent
// function at fixed normal quantiles, so the balancer's pMeet and search run on it unchanged.
import { cholesky, cholLogDet, cholSolve, forwardSolve } from '../../src/model/dense.js';
import type { LevelPredictor, MetaModel } from '../../src/model/index.js';
import { baseNormals } from '../../src/model/normals.js';
import type { Playtest } from '../../src/project/types.js';

const LENGTH_SCALES = [0.1, 0.2, 0.4, 0.8, 1.6];
const AMPLITUDES = [0.5, 1, 2];
const NOISES = [0.1, 0.3, 1];
const SAMPLES = 16;

interface MetricGp {
  mean: number;
  ell: number;
  amp2: number;
  chol: Float64Array;
  alpha: Float64Array;
}

export function gpScratch(model: MetaModel, levelId: string, playtests: readonly Playtest[]): LevelPredictor {
  const dim = model.space.dim;
  const metrics = model.project.metrics.map((m) => m.name);
  const M = metrics.length;
  const fits = metrics.map((name, j) => {
    const rows = playtests.filter((p) => Number.isFinite(p.metrics[name]));
    const x = new Float64Array(rows.length * dim);
    rows.forEach((p, r) => x.set(model.space.encode(p.params ?? {}), r * dim));
    const y = rows.map((p) => p.metrics[name]!);
    return { x, n: rows.length, fit: fitGp(x, y, dim, model.project.metrics[j]!.kind === 'rate') };
  });
  const u = baseNormals(M, SAMPLES, 'gp-scratch');
  const predict = (xs: Float32Array, n: number, opts?: { draws?: boolean }): { mode: Float32Array; draws?: Float32Array } => {
    const mode = new Float32Array(n * M);
    const draws = opts?.draws ? new Float32Array(n * SAMPLES * M) : undefined;
    fits.forEach(({ x, n: count, fit }, j) => {
      const rate = model.project.metrics[j]!.kind === 'rate';
      const k = new Float64Array(count);
      for (let i = 0; i < n; i++) {
        let mu = fit.mean;
        let sd = Math.sqrt(fit.amp2);
        if (count > 0) {
          for (let r = 0; r < count; r++) k[r] = fit.amp2 * kernel(xs, i * dim, x, r * dim, dim, fit.ell);
          for (let r = 0; r < count; r++) mu += k[r]! * fit.alpha[r]!;
          const v = forwardSolve(fit.chol, count, k);
          sd = Math.sqrt(Math.max(0, fit.amp2 - v.reduce((s, t) => s + t * t, 0)));
        }
        const keep = (t: number): number => (rate ? Math.min(1, Math.max(0, t)) : t);
        mode[i * M + j] = keep(mu);
        if (draws) for (let s = 0; s < SAMPLES; s++) draws[(i * SAMPLES + s) * M + j] = keep(mu + sd * u[j * SAMPLES + s]!);
      }
    });
    return draws ? { mode, draws } : { mode };
  };
  return { levelId, playtestCount: playtests.length, metrics, samples: SAMPLES, predict, dispose: () => {} };
}

function kernel(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, dim: number, ell: number): number {
  let d2 = 0;
  for (let d = 0; d < dim; d++) d2 += (a[ai + d]! - b[bi + d]!) ** 2;
  return Math.exp((-0.5 * d2) / (ell * ell));
}

/** The grid point with the largest log marginal likelihood. */
function fitGp(x: Float64Array, y: readonly number[], dim: number, rate: boolean): MetricGp {
  const n = y.length;
  const mean = n > 0 ? y.reduce((s, v) => s + v, 0) / n : rate ? 0.5 : 0;
  const spread = n > 1 ? Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  // a scale for the grids: the observed spread, or for a rate the Bernoulli sd at one half
  const scale = rate ? 0.5 : Math.max(spread, 0.05 * Math.abs(mean), 1e-6);
  const centred = y.map((v) => v - mean);
  let best: MetricGp & { lml: number } = { mean, ell: 0.4, amp2: scale * scale, chol: new Float64Array(0), alpha: new Float64Array(0), lml: -Infinity };
  if (n === 0) return best;
  for (const ell of LENGTH_SCALES) {
    for (const a of AMPLITUDES) {
      for (const s of NOISES) {
        const amp2 = (a * scale) ** 2;
        const cov = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) cov[i * n + j] = cov[j * n + i] = amp2 * kernel(x, i * dim, x, j * dim, dim, ell);
          cov[i * n + i]! += (s * scale) ** 2;
        }
        const { l } = cholesky(cov, n);
        const alpha = cholSolve(l, n, centred);
        const lml = -0.5 * centred.reduce((t, v, i) => t + v * alpha[i]!, 0) - 0.5 * cholLogDet(l, n);
        if (lml > best.lml) best = { mean, ell, amp2, chol: l, alpha, lml };
      }
    }
  }
  return best;
}
