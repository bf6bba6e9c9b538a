// The per-playtest log-likelihood of the heads as tensors (training and validation), and the KL of
// a level's context posterior to the prior. The same model as heads.ts computes in plain numbers
// for adaptation: Bernoulli logits for rates, contaminated Gaussians with a smoothly clamped log-sd
// in the standardised link space for everything else.
import * as tf from '@tensorflow/tfjs-core';
import type { OutputColumns, Span } from './outputs.js';
import { BROAD_SD, CONTAMINATION, HALF_LOG_2PI, LOG_SD_MAX, LOG_SD_MIN } from './heads.js';

/** A span of the last axis. */
function cols(t: tf.Tensor, { start, n }: Span): tf.Tensor {
  const begin = t.shape.map((_, i) => (i === t.rank - 1 ? start : 0));
  const size = t.shape.map((d, i) => (i === t.rank - 1 ? n : d));
  return tf.slice(t, begin, size);
}

function softLogSd(raw: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.softplus(tf.sub(raw, LOG_SD_MIN)), tf.softplus(tf.sub(raw, LOG_SD_MAX))), LOG_SD_MIN);
}

function gaussLL(y: tf.Tensor, mu: tf.Tensor, rawLogSd: tf.Tensor): tf.Tensor {
  const ls = softLogSd(rawLogSd);
  const r = tf.mul(tf.sub(y, mu), tf.exp(tf.neg(ls)));
  const clean = tf.sub(tf.mul(tf.square(r), -0.5), tf.add(ls, HALF_LOG_2PI - Math.log(1 - CONTAMINATION)));
  // the gross-error density does not depend on the heads: no gradient flows through an outlier
  const broad = tf.sub(tf.mul(tf.square(y), -0.5 / (BROAD_SD * BROAD_SD)), Math.log(BROAD_SD) + HALF_LOG_2PI - Math.log(CONTAMINATION));
  return tf.logSumExp(tf.stack([clean, tf.broadcastTo(broad, clean.shape)], -1), -1);
}

/**
 * Log-likelihood of each playtest row: heads [..., O], targets y and observed flags obs [..., M]
 * (internal metric order, broadcastable against heads' leading dims) → [...].
 * Conditioned metrics use the head of the observed outcome; when the outcome is not reported, the
 * two-branch mixture.
 */
export function rowLogLik(outputs: OutputColumns, heads: tf.Tensor, y: tf.Tensor, obs: tf.Tensor): tf.Tensor {
  const { groups: g, columns: c } = outputs;
  const terms: tf.Tensor[] = [];
  if (g.rates.n > 0) {
    const a = cols(heads, c.logit);
    const ll = tf.sub(tf.mul(cols(y, g.rates), a), tf.softplus(a));
    terms.push(tf.sum(tf.mul(ll, cols(obs, g.rates)), -1));
  }
  if (g.gaussian.n > 0) {
    const ll = gaussLL(cols(y, g.gaussian), cols(heads, c.mu), cols(heads, c.logSd));
    terms.push(tf.sum(tf.mul(ll, cols(obs, g.gaussian)), -1));
  }
  if (g.conditioned.n > 0) {
    const yc = cols(y, g.conditioned);
    const llWon = gaussLL(yc, cols(heads, c.muWon), cols(heads, c.logSdWon));
    const llLost = gaussLL(yc, cols(heads, c.muLost), cols(heads, c.logSdLost));
    const outcome = { start: outputs.outcomePos, n: 1 };
    const a = cols(heads, outcome);
    const o = cols(y, outcome);
    const seen = cols(obs, outcome);
    const known = tf.add(tf.mul(o, llWon), tf.mul(tf.sub(1, o), llLost));
    // log σ(a) = −softplus(−a)
    const mixed = tf.logSumExp(tf.stack([tf.sub(llWon, tf.softplus(tf.neg(a))), tf.sub(llLost, tf.softplus(a))], -1), -1);
    const ll = tf.add(tf.mul(seen, known), tf.mul(tf.sub(1, seen), mixed));
    terms.push(tf.sum(tf.mul(ll, cols(obs, g.conditioned)), -1));
  }
  return terms.length === 1 ? terms[0]! : tf.addN(terms);
}

/** KL(N(mu, exp(logSig)²) ‖ N(0, I)) summed over the last axis. */
export function klToPrior(mu: tf.Tensor, logSig: tf.Tensor): tf.Tensor {
  const t = tf.sub(tf.add(tf.square(mu), tf.exp(tf.mul(logSig, 2))), tf.add(tf.mul(logSig, 2), 1));
  return tf.mul(tf.sum(t, -1), 0.5);
}
