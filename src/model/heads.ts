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

/**
 * What the moment integrals need of each metric, flattened into typed arrays once per model: the
 * predictor integrates tens of thousands of head rows per search, and per-row closures, tuples and
 * lookups through the column objects cost more than the arithmetic.
 */
export interface MomentPlan {
  /** per internal metric: 0 rate, 1 Gaussian, 2 outcome-conditioned */
  readonly kind: Uint8Array;
  /** rate: the logit; Gaussian: mu, logSd; conditioned: won mu, won logSd, lost mu, lost logSd (4 per metric) */
  readonly cols: Int32Array;
  /** the project metric index each internal metric is written to */
  readonly target: Int32Array;
  readonly center: Float64Array;
  readonly scale: Float64Array;
  /** 0 identity, 1 log, 2 log1p (unused for rates) */
  readonly link: Uint8Array;
  readonly outcome: number;
}

const KIND_RATE = 0;
const KIND_GAUSSIAN = 1;
const LINK_IDENTITY = 0;
const LINK_LOG1P = 2;

export function momentPlan(spec: EncodingSpec, outputs: OutputColumns): MomentPlan {
  const K = outputs.metrics.length;
  const plan = {
    kind: new Uint8Array(K),
    cols: new Int32Array(4 * K),
    target: Int32Array.from(outputs.order),
    center: new Float64Array(K),
    scale: new Float64Array(K),
    link: new Uint8Array(K),
    outcome: outputs.outcomePos,
  };
  outputs.metrics.forEach((c, k) => {
    const ms = spec.metrics[outputs.order[k]!]!;
    plan.center[k] = ms.center;
    plan.scale[k] = ms.scale;
    plan.link[k] = ms.link === 'identity' ? LINK_IDENTITY : ms.link === 'log1p' ? LINK_LOG1P : 1;
    const cols = c.kind === 'rate' ? [c.logit] : c.kind === 'gaussian' ? [c.g.mu, c.g.logSd] : [c.won.mu, c.won.logSd, c.lost.mu, c.lost.logSd];
    plan.kind[k] = c.kind === 'rate' ? KIND_RATE : c.kind === 'gaussian' ? KIND_GAUSSIAN : 2;
    plan.cols.set(cols, 4 * k);
  });
  return plan;
}

const SD_FLOOR = Math.exp(LOG_SD_MIN);
const EXP_MIN = Math.exp(-LOG_SD_MIN);
const EXP_MAX = Math.exp(-LOG_SD_MAX);

/**
 * exp(softLogSd(raw)) with one exp instead of three exps and two log1ps: exp(softplus(a)) is
 * 1 + e^a, so the sd is e^MIN · (1 + e^(raw − MIN)) / (1 + e^(raw − MAX)). Far outside the bounds
 * (where e^raw would overflow, and softplus switches to the identity) the direct form is used.
 */
function softSd(raw: number): number {
  if (raw > 30 || raw < -30) return Math.exp(softLogSd(raw));
  const e = Math.exp(raw);
  return (SD_FLOOR * (1 + e * EXP_MIN)) / (1 + e * EXP_MAX);
}

/** Mean of metric k whose standardised link value is N(mu, sd²) (sd from the raw head). */
function linkMean(plan: MomentPlan, k: number, mu: number, raw: number): number {
  const m = plan.center[k]! + plan.scale[k]! * mu;
  const link = plan.link[k]!;
  if (link === LINK_IDENTITY) return m;
  const s = plan.scale[k]! * softSd(raw);
  const mean = Math.exp(Math.min(m + Math.min(s * s, 20) / 2, 80));
  return link === LINK_LOG1P ? mean - 1 : mean;
}

/** Variance of the same metric (a second pass: only the mode's noise needs it, the draws do not). */
function linkVariance(plan: MomentPlan, k: number, mu: number, raw: number): number {
  const s = plan.scale[k]! * softSd(raw);
  if (plan.link[k]! === LINK_IDENTITY) return s * s;
  const s2 = Math.min(s * s, 20);
  const mean = Math.exp(Math.min(plan.center[k]! + plan.scale[k]! * mu + s2 / 2, 80));
  return (Math.exp(s2) - 1) * mean * mean;
}

/**
 * Expected metric values (project metric order) of one head row heads[off…], written to mean[0..M);
 * the playtest-noise variance to noiseVar when given (computing it costs an exp per log-link
 * branch, so the draws skip it). E[metric] = p·E[metric|won] + (1 − p)·E[metric|lost] for
 * conditioned metrics.
 */
export function expectedFromHeads(plan: MomentPlan, heads: ArrayLike<number>, off: number, mean: Float32Array, noiseVar: Float32Array | null): void {
  const withVar = noiseVar !== null;
  const pOut = plan.outcome >= 0 ? sigmoid(heads[off + plan.outcome]!) : 0;
  const K = plan.kind.length;
  for (let k = 0; k < K; k++) {
    const kind = plan.kind[k]!;
    const c = 4 * k;
    let mu: number;
    let v = 0;
    if (kind === KIND_RATE) {
      const col = plan.cols[c]!;
      mu = col === plan.outcome ? pOut : sigmoid(heads[off + col]!);
      v = mu * (1 - mu);
    } else if (kind === KIND_GAUSSIAN) {
      const m = heads[off + plan.cols[c]!]!;
      const raw = heads[off + plan.cols[c + 1]!]!;
      mu = linkMean(plan, k, m, raw);
      if (withVar) v = linkVariance(plan, k, m, raw);
    } else {
      const m1 = heads[off + plan.cols[c]!]!;
      const r1 = heads[off + plan.cols[c + 1]!]!;
      const m2 = heads[off + plan.cols[c + 2]!]!;
      const r2 = heads[off + plan.cols[c + 3]!]!;
      const mw = linkMean(plan, k, m1, r1);
      const ml = linkMean(plan, k, m2, r2);
      mu = pOut * mw + (1 - pOut) * ml;
      if (withVar) v = pOut * (linkVariance(plan, k, m1, r1) + mw * mw) + (1 - pOut) * (linkVariance(plan, k, m2, r2) + ml * ml) - mu * mu;
    }
    const j = plan.target[k]!;
    mean[j] = mu;
    if (noiseVar) noiseVar[j] = Math.max(0, v);
  }
}
