// The network's output columns: which column is the logit, the mean or the raw log-sd of which
// metric and outcome branch. The one place that knows; the likelihood (tensors and plain numbers),
// adaptation, the context posterior and initialisation read columns through it.
// Metrics are regrouped internally as [rates | unconditioned Gaussians | outcome-conditioned
// Gaussians] so every group is one contiguous slice of the output:
//   logits (nB) | mu (nU) | logSd (nU) | muWon (nC) | logSdWon (nC) | muLost (nC) | logSdLost (nC).
// A playtest's targets are stored in the same internal metric order (encodeMetrics).
import type { EncodingSpec } from './encoding.js';

/** Columns of one Gaussian: its mean and raw log-sd. */
export interface GaussianColumns {
  mu: number;
  logSd: number;
}
/** Where one metric lives in a row of outputs. */
export type MetricColumns = { kind: 'rate'; logit: number } | { kind: 'gaussian'; g: GaussianColumns } | { kind: 'conditioned'; won: GaussianColumns; lost: GaussianColumns };

/** [start, start + n) of the last axis. */
export interface Span {
  start: number;
  n: number;
}

export interface OutputColumns {
  /** internal position → project metric index */
  order: number[];
  /** project metric index → internal position */
  position: number[];
  /** the outcome's internal position (inside the rate group, so also its logit's column), or -1 */
  outcomePos: number;
  /** output width */
  width: number;
  /** per internal metric position, its columns */
  metrics: MetricColumns[];
  /** internal metric positions of each group (slices of the targets) */
  groups: { rates: Span; gaussian: Span; conditioned: Span };
  /** output columns of each group (slices of the outputs) */
  columns: { logit: Span; mu: Span; logSd: Span; muWon: Span; logSdWon: Span; muLost: Span; logSdLost: Span };
}

export function outputColumns(spec: EncodingSpec): OutputColumns {
  const idx = spec.metrics.map((_, j) => j);
  const bern = idx.filter((j) => spec.metrics[j]!.link === 'bernoulli');
  const uncond = idx.filter((j) => spec.metrics[j]!.link !== 'bernoulli' && spec.metrics[j]!.conditionedOn < 0);
  const cond = idx.filter((j) => spec.metrics[j]!.conditionedOn >= 0);
  const order = [...bern, ...uncond, ...cond];
  const position = new Array<number>(order.length);
  order.forEach((j, k) => (position[j] = k));
  const nB = bern.length;
  const nU = uncond.length;
  const nC = cond.length;
  const h0 = nB + 2 * nU;
  const metrics = order.map((_, k): MetricColumns => {
    if (k < nB) return { kind: 'rate', logit: k };
    if (k < nB + nU) return { kind: 'gaussian', g: { mu: k, logSd: k + nU } };
    const c = k - nB - nU;
    return { kind: 'conditioned', won: { mu: h0 + c, logSd: h0 + nC + c }, lost: { mu: h0 + 2 * nC + c, logSd: h0 + 3 * nC + c } };
  });
  return {
    order,
    position,
    outcomePos: spec.outcome >= 0 ? bern.indexOf(spec.outcome) : -1,
    width: nB + 2 * nU + 4 * nC,
    metrics,
    groups: { rates: { start: 0, n: nB }, gaussian: { start: nB, n: nU }, conditioned: { start: nB + nU, n: nC } },
    columns: {
      logit: { start: 0, n: nB },
      mu: { start: nB, n: nU },
      logSd: { start: nB + nU, n: nU },
      muWon: { start: h0, n: nC },
      logSdWon: { start: h0 + nC, n: nC },
      muLost: { start: h0 + 2 * nC, n: nC },
      logSdLost: { start: h0 + 3 * nC, n: nC },
    },
  };
}

/** The columns a link-space shift of a metric moves: the logit of a rate, the mean of each Gaussian branch. */
export function meanColumns(c: MetricColumns): number[] {
  return c.kind === 'rate' ? [c.logit] : c.kind === 'gaussian' ? [c.g.mu] : [c.won.mu, c.lost.mu];
}
