// A LevelPredictor over a closed-form function of the settings: the benchmark's oracle (the
// simulator's true expected metrics) and a known landscape for testing the search. Its draws are
// the function plus an optional per-metric spread at fixed normal quantiles, so they are exact.
import type { LevelPredictor } from '../../src/model/index.js';
import type { ParamSpace } from '../../src/model/param-space.js';
import type { ParamValues } from '../../src/project/types.js';

export interface FunctionPredictorOptions {
  levelId: string;
  metrics: string[];
  fn: (params: ParamValues) => Record<string, number>;
  /** per-metric spread of the draws (default: none, a single draw equal to the mode) */
  spread?: (params: ParamValues) => Record<string, number>;
  samples?: number;
  playtestCount?: number;
}

export function functionPredictor(space: ParamSpace, opts: FunctionPredictorOptions): LevelPredictor & { calls: number } {
  const M = opts.metrics.length;
  const S = opts.spread ? (opts.samples ?? 32) : 1;
  const quantiles = Array.from({ length: S }, (_, s) => (S === 1 ? 0 : probit((s + 0.5) / S)));
  const self = {
    levelId: opts.levelId,
    playtestCount: opts.playtestCount ?? 0,
    metrics: opts.metrics,
    samples: S,
    calls: 0,
    predict(x: Float32Array, n: number, o?: { draws?: boolean }): { mode: Float32Array; draws?: Float32Array } {
      self.calls++;
      const dim = space.dim;
      const mode = new Float32Array(n * M);
      const draws = o?.draws ? new Float32Array(n * S * M) : undefined;
      for (let i = 0; i < n; i++) {
        const values = space.decode(x.subarray(i * dim, (i + 1) * dim));
        const y = opts.fn(values);
        const sd = opts.spread?.(values);
        opts.metrics.forEach((m, j) => {
          mode[i * M + j] = y[m]!;
          if (draws) for (let s = 0; s < S; s++) draws[(i * S + s) * M + j] = y[m]! + (sd?.[m] ?? 0) * quantiles[s]!;
        });
      }
      return draws ? { mode, draws } : { mode };
    },
    dispose(): void {},
  };
  return self;
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211639];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
