// The typing bench's baselines: what a tool without a meta-model could do with a tester's raw
// metrics. Each run is its metrics as recorded, on the scale a statistician would use (a rate as
// 0/1, a count as log1p, a positive continuous metric as log), standardised over the known runs.
// Neither sees the level or the setting a run was played at.
import type { MetricCoding } from '../../src/model/encoding.js';
import { linkValue } from '../../src/model/encoding.js';
import type { Playtest } from '../../src/project/types.js';

/** A run's raw metric vector (a missing metric at the known runs' mean, 0 after standardising). */
export function rawFeatures(metrics: readonly MetricCoding[], pt: Playtest): number[] {
  return metrics.map((m) => {
    const v = pt.metrics[m.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
    return m.link === 'bernoulli' ? (v - m.center) / m.scale : (linkValue(m.link, v) - m.center) / m.scale;
  });
}

/** Standardisation of raw metrics over the known runs, as codings rawFeatures reads. */
export function rawCodings(metrics: readonly MetricCoding[], runs: readonly Playtest[]): MetricCoding[] {
  return metrics.map((m) => {
    const zs = runs.flatMap((pt) => {
      const v = pt.metrics[m.name];
      return typeof v === 'number' && Number.isFinite(v) && (m.link !== 'log' || v > 0) ? [m.link === 'bernoulli' ? v : linkValue(m.link, v)] : [];
    });
    const mean = zs.reduce((a, b) => a + b, 0) / Math.max(1, zs.length);
    const sd = Math.sqrt(zs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, zs.length));
    return { ...m, center: mean, scale: sd > 1e-9 ? sd : 1 };
  });
}

const meanRow = (rows: readonly number[][]): number[] => rows[0]!.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);

/** Nearest centroid: each class's mean known run; a tester goes to the class nearest its mean run. */
export function nearestCentroid(train: readonly { x: number[]; y: number }[], classes: number): (runs: readonly number[][]) => number {
  const centroids = Array.from({ length: classes }, (_, c) => meanRow(train.filter((r) => r.y === c).map((r) => r.x)));
  return (runs) => {
    const q = meanRow(runs);
    const d = centroids.map((c) => c.reduce((s, v, j) => s + (v - q[j]!) ** 2, 0));
    return d.indexOf(Math.min(...d));
  };
}

/**
 * Multinomial logistic regression on per-run features (with a bias), L2-penalised, fitted by full
 * gradient descent; a tester's class maximises the sum of its runs' log-probabilities (runs as
 * independent evidence).
 */
export function logisticRegression(train: readonly { x: number[]; y: number }[], classes: number, opts = { iterations: 500, lr: 0.5, l2: 1e-3 }): (runs: readonly number[][]) => number {
  const F = train[0]!.x.length + 1;
  const w = Array.from({ length: classes }, () => new Float64Array(F));
  const logProbs = (x: readonly number[]): number[] => {
    const z = w.map((wc) => wc[F - 1]! + x.reduce((s, v, j) => s + wc[j]! * v, 0));
    const top = Math.max(...z);
    const lse = top + Math.log(z.reduce((s, v) => s + Math.exp(v - top), 0));
    return z.map((v) => v - lse);
  };
  for (let it = 0; it < opts.iterations; it++) {
    const g = Array.from({ length: classes }, () => new Float64Array(F));
    for (const r of train) {
      const p = logProbs(r.x).map(Math.exp);
      for (let c = 0; c < classes; c++) {
        const e = p[c]! - (r.y === c ? 1 : 0);
        for (let j = 0; j < F - 1; j++) g[c]![j]! += e * r.x[j]!;
        g[c]![F - 1]! += e;
      }
    }
    for (let c = 0; c < classes; c++) for (let j = 0; j < F; j++) w[c]![j]! -= opts.lr * (g[c]![j]! / train.length + opts.l2 * w[c]![j]!);
  }
  return (runs) => {
    const total = new Array<number>(classes).fill(0);
    for (const x of runs) logProbs(x).forEach((l, c) => (total[c]! += l));
    return total.indexOf(Math.max(...total));
  };
}
