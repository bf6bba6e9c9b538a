// What the network's outputs mean, in plain numbers (no tensors; which column is which is
// outputs.ts):
// - A `rate` metric is a Bernoulli logit.
// - Other metrics are Gaussian in their standardised link space: a mean and a raw log-sd, kept in
//   [LOG_SD_MIN, LOG_SD_MAX] by a smooth clamp (a hard clip would zero its gradient outside).
//   With a win/lose outcome, they have one (mean, log-sd) pair per outcome branch.
// - Continuous observations are a contaminated Gaussian: with probability CONTAMINATION a value
//   comes from a broad density that does not depend on the level, so one implausible value (a
//   duration in milliseconds, 1e300) cannot pull a level's or the network's fit.
// Also here: a row's log-likelihood with its gradient and Fisher weight per column (for the
// context posterior's Newton steps) and the expected metric values of a row of heads.
import type { EncodingSpec } from './encoding.js';
import type { GaussianColumns, OutputColumns } from './outputs.js';

export const LOG_SD_MIN = -6;
export const LOG_SD_MAX = 1.5;
/** Share of continuous observations the likelihood attributes to gross errors. */
export const CONTAMINATION = 0.01;
/** sd of the gross-error density, in standardised link units, centred on the corpus mean. */
export const BROAD_SD = 10;
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_KEEP = Math.log(1 - CONTAMINATION);
const LOG_CONTAM = Math.log(CONTAMINATION);

const softplus = (x: number): number => (x > 30 ? x : Math.log1p(Math.exp(x)));
export const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/** The log-sd a raw head stands for: identity inside the bounds, smoothly saturating outside. */
export function softLogSd(raw: number): number {
  return LOG_SD_MIN + softplus(raw - LOG_SD_MIN) - softplus(raw - LOG_SD_MAX);
}
function softLogSdSlope(raw: number): number {
  return sigmoid(raw - LOG_SD_MIN) - sigmoid(raw - LOG_SD_MAX);
}

/** log-likelihood of a standardised value under the contaminated Gaussian, and its derivatives. */
function gaussTerm(y: number, mu: number, raw: number): { ll: number; dMu: number; dRaw: number; wMu: number; wRaw: number } {
  const ls = softLogSd(raw);
  const s = Math.exp(ls);
  const r = (y - mu) / s;
  const clean = LOG_KEEP - 0.5 * r * r - ls - HALF_LOG_2PI;
  const broad = LOG_CONTAM - (0.5 * y * y) / (BROAD_SD * BROAD_SD) - Math.log(BROAD_SD) - HALF_LOG_2PI;
  const ll = clean > broad ? clean + Math.log1p(Math.exp(broad - clean)) : broad + Math.log1p(Math.exp(clean - broad));
  const rho = Math.exp(clean - ll);
  const slope = softLogSdSlope(raw);
  return { ll, dMu: (rho * r) / s, dRaw: rho * (r * r - 1) * slope, wMu: rho / (s * s), wRaw: 2 * rho * slope * slope };
}

/**
 * One playtest row: its log-likelihood given heads[hOff…], and (when asked) the gradient and a
 * diagonal Fisher weight per head column written to grad/fisher (length outputs.width). `y`/`obs`
 * are in the internal metric order (encodeMetrics).
 */
export function rowLikelihood(
  outputs: OutputColumns,
  heads: ArrayLike<number>,
  hOff: number,
  y: ArrayLike<number>,
  obs: ArrayLike<number>,
  yOff: number,
  grad: Float64Array | null,
  fisher: Float64Array | null,
): number {
  grad?.fill(0);
  fisher?.fill(0);
  const outcome = outputs.outcomePos;
  let ll = 0;
  outputs.metrics.forEach((c, k) => {
    if (obs[yOff + k]! === 0) return;
    const v = y[yOff + k]!;
    if (c.kind === 'rate') {
      const a = heads[hOff + c.logit]!;
      const p = sigmoid(a);
      ll += v * a - softplus(a);
      if (grad) grad[c.logit]! += v - p;
      if (fisher) fisher[c.logit]! += p * (1 - p);
      return;
    }
    const branch = (g: GaussianColumns, weight: number): number => {
      const t = gaussTerm(v, heads[hOff + g.mu]!, heads[hOff + g.logSd]!);
      if (grad) {
        grad[g.mu]! += weight * t.dMu;
        grad[g.logSd]! += weight * t.dRaw;
      }
      if (fisher) {
        fisher[g.mu]! += weight * t.wMu;
        fisher[g.logSd]! += weight * t.wRaw;
      }
      return t.ll;
    };
    if (c.kind === 'gaussian') {
      ll += branch(c.g, 1);
      return;
    }
    if (obs[yOff + outcome]! > 0) {
      const o = y[yOff + outcome]!;
      ll += (o > 0 ? o * branch(c.won, o) : 0) + (o < 1 ? (1 - o) * branch(c.lost, 1 - o) : 0);
      return;
    }
    // outcome not reported: the two-branch mixture, weighted by the outcome probability
    const a = heads[hOff + outcome]!;
    const won = gaussTerm(v, heads[hOff + c.won.mu]!, heads[hOff + c.won.logSd]!);
    const lost = gaussTerm(v, heads[hOff + c.lost.mu]!, heads[hOff + c.lost.logSd]!);
    const lw = won.ll - softplus(-a);
    const lL = lost.ll - softplus(a);
    const mix = Math.max(lw, lL) + Math.log1p(Math.exp(-Math.abs(lw - lL)));
    const rw = Math.exp(lw - mix);
    ll += mix;
    if (grad) {
      grad[c.won.mu]! += rw * won.dMu;
      grad[c.won.logSd]! += rw * won.dRaw;
      grad[c.lost.mu]! += (1 - rw) * lost.dMu;
      grad[c.lost.logSd]! += (1 - rw) * lost.dRaw;
      grad[outcome]! += rw - sigmoid(a);
    }
    if (fisher) {
      fisher[c.won.mu]! += rw * won.wMu;
      fisher[c.won.logSd]! += rw * won.wRaw;
      fisher[c.lost.mu]! += (1 - rw) * lost.wMu;
      fisher[c.lost.logSd]! += (1 - rw) * lost.wRaw;
    }
  });
  return ll;
}

/** Mean and variance of a metric whose standardised link value is N(mu, sd²). */
function linkMoments(spec: EncodingSpec['metrics'][number], mu: number, raw: number): [number, number] {
  const m = spec.center + spec.scale * mu;
  const s = spec.scale * Math.exp(softLogSd(raw));
  if (spec.link === 'identity') return [m, s * s];
  const s2 = Math.min(s * s, 20);
  const mean = Math.exp(Math.min(m + s2 / 2, 80));
  const variance = (Math.exp(s2) - 1) * mean * mean;
  return [spec.link === 'log1p' ? mean - 1 : mean, variance];
}

/**
 * Expected metric values (project metric order) of one head row, written to mean[at..at+M);
 * the playtest-noise variance to noiseVar when given. E[metric] = p·E[metric|won] +
 * (1 − p)·E[metric|lost] for conditioned metrics.
 */
export function expectedFromHeads(
  spec: EncodingSpec,
  outputs: OutputColumns,
  heads: ArrayLike<number>,
  off: number,
  mean: Float32Array | Float64Array,
  at: number,
  noiseVar?: Float32Array | Float64Array,
): void {
  const pOut = outputs.outcomePos >= 0 ? sigmoid(heads[off + outputs.outcomePos]!) : 0;
  outputs.metrics.forEach((c, k) => {
    const j = outputs.order[k]!;
    const ms = spec.metrics[j]!;
    let mu: number;
    let v: number;
    if (c.kind === 'rate') {
      mu = sigmoid(heads[off + c.logit]!);
      v = mu * (1 - mu);
    } else if (c.kind === 'gaussian') {
      [mu, v] = linkMoments(ms, heads[off + c.g.mu]!, heads[off + c.g.logSd]!);
    } else {
      const [mw, vw] = linkMoments(ms, heads[off + c.won.mu]!, heads[off + c.won.logSd]!);
      const [ml, vl] = linkMoments(ms, heads[off + c.lost.mu]!, heads[off + c.lost.logSd]!);
      mu = pOut * mw + (1 - pOut) * ml;
      v = pOut * (vw + mw * mw) + (1 - pOut) * (vl + ml * ml) - mu * mu;
    }
    mean[at + j] = mu;
    if (noiseVar) noiseVar[at + j] = Math.max(0, v);
  });
}
