// The per-playtest log-likelihood of the heads (the one used by training, validation and
// adaptation alike), the KL of a level's context posterior to the prior, and the heads' expected
// metric values (computed in JS from downloaded heads: cheaper than more tensor ops).
import * as tf from '@tensorflow/tfjs-core';
import type { EncodingSpec, HeadLayout } from './encoding.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Playtest noise sd bounds in standardised link units (a level's noise cannot dwarf the corpus spread). */
export const LOG_SD_MIN = -6;
export const LOG_SD_MAX = 1.5;

/** Columns [start, start + n) of the last axis. */
function cols(t: tf.Tensor, start: number, n: number): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? start : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? n : d));
  return tf.slice(t, begin, size);
}

function gaussLL(y: tf.Tensor, mu: tf.Tensor, rawLogSd: tf.Tensor): tf.Tensor {
  const ls = tf.clipByValue(rawLogSd, LOG_SD_MIN, LOG_SD_MAX);
  const r = tf.mul(tf.sub(y, mu), tf.exp(tf.neg(ls)));
  return tf.sub(tf.mul(tf.square(r), -0.5), tf.add(ls, HALF_LOG_2PI));
}

/**
 * Log-likelihood of each playtest row: heads [..., O], targets y and observed flags obs [..., M]
 * (internal metric order, broadcastable against heads' leading dims) → [...].
 * Rates: Bernoulli on a logit. Gaussians in the standardised link space. Conditioned metrics use
 * the head of the observed outcome; when the outcome is not reported, the two-branch mixture.
 */
export function rowLogLik(layout: HeadLayout, heads: tf.Tensor, y: tf.Tensor, obs: tf.Tensor): tf.Tensor {
  const { nB, nU, nC } = layout;
  const terms: tf.Tensor[] = [];
  if (nB > 0) {
    const a = cols(heads, 0, nB);
    const ll = tf.sub(tf.mul(cols(y, 0, nB), a), tf.softplus(a));
    terms.push(tf.sum(tf.mul(ll, cols(obs, 0, nB)), -1));
  }
  if (nU > 0) {
    const ll = gaussLL(cols(y, nB, nU), cols(heads, nB, nU), cols(heads, nB + nU, nU));
    terms.push(tf.sum(tf.mul(ll, cols(obs, nB, nU)), -1));
  }
  if (nC > 0) {
    const h0 = nB + 2 * nU;
    const yc = cols(y, nB + nU, nC);
    const llWon = gaussLL(yc, cols(heads, h0, nC), cols(heads, h0 + nC, nC));
    const llLost = gaussLL(yc, cols(heads, h0 + 2 * nC, nC), cols(heads, h0 + 3 * nC, nC));
    const p = layout.outcomePos;
    const a = cols(heads, p, 1);
    const o = cols(y, p, 1);
    const seen = cols(obs, p, 1);
    const known = tf.add(tf.mul(o, llWon), tf.mul(tf.sub(1, o), llLost));
    // log σ(a) = −softplus(−a)
    const mixed = tf.logSumExp(
      tf.stack([tf.sub(llWon, tf.softplus(tf.neg(a))), tf.sub(llLost, tf.softplus(a))], -1),
      -1,
    );
    const ll = tf.add(tf.mul(seen, known), tf.mul(tf.sub(1, seen), mixed));
    terms.push(tf.sum(tf.mul(ll, cols(obs, nB + nU, nC)), -1));
  }
  return terms.length === 1 ? terms[0]! : tf.addN(terms);
}

/** KL(N(mu, exp(logSig)²) ‖ N(0, I)) summed over the last axis. */
export function klToPrior(mu: tf.Tensor, logSig: tf.Tensor): tf.Tensor {
  const t = tf.sub(tf.add(tf.square(mu), tf.exp(tf.mul(logSig, 2))), tf.add(tf.mul(logSig, 2), 1));
  return tf.mul(tf.sum(t, -1), 0.5);
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));
const clipLs = (v: number): number => Math.min(LOG_SD_MAX, Math.max(LOG_SD_MIN, v));

/** Mean and variance of a metric whose standardised link value is N(mu, sd²). */
function linkMoments(spec: EncodingSpec['metrics'][number], mu: number, rawLs: number): [number, number] {
  const m = spec.center + spec.scale * mu;
  const s = spec.scale * Math.exp(clipLs(rawLs));
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
  layout: HeadLayout,
  heads: ArrayLike<number>,
  off: number,
  mean: Float32Array,
  at: number,
  noiseVar?: Float32Array,
): void {
  const { nB, nU, nC, order } = layout;
  const pOut = layout.outcomePos >= 0 ? sigmoid(heads[off + layout.outcomePos]!) : 0;
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    const ms = spec.metrics[j]!;
    let mu: number;
    let v: number;
    if (k < nB) {
      mu = sigmoid(heads[off + k]!);
      v = mu * (1 - mu);
    } else if (k < nB + nU) {
      const u = k - nB;
      [mu, v] = linkMoments(ms, heads[off + nB + u]!, heads[off + nB + nU + u]!);
    } else {
      const c = k - nB - nU;
      const h0 = off + nB + 2 * nU;
      const [mw, vw] = linkMoments(ms, heads[h0 + c]!, heads[h0 + nC + c]!);
      const [ml, vl] = linkMoments(ms, heads[h0 + 2 * nC + c]!, heads[h0 + 3 * nC + c]!);
      mu = pOut * mw + (1 - pOut) * ml;
      v = pOut * (vw + mw * mw) + (1 - pOut) * (vl + ml * ml) - mu * mu;
    }
    mean[at + j] = mu;
    if (noiseVar) noiseVar[at + j] = Math.max(0, v);
  }
}
