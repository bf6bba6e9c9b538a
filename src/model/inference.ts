// Forward passes for one ensemble member over a grid of (playtest rows × contexts): the
// z-independent part of the first layer is computed once per row, the z part once per context,
// and summed by broadcasting — the cheap shape for adaptation and for balancing's many candidates.
import * as tf from '@tensorflow/tfjs-core';
import { mlpFrom, type MemberNet } from './network.js';

/** The level's constant share of the first layer: b1 + features·W1f → [1, H]. */
export function levelBias(net: MemberNet, feat: Float32Array): tf.Tensor2D {
  return tf.tidy(() => {
    if (feat.length === 0) return tf.clone(net.b1);
    return tf.add(net.b1, tf.matMul(tf.tensor2d(feat, [1, feat.length]), net.w1f)) as tf.Tensor2D;
  });
}

/** A context's share of the first layer, z·W1z + the level bias → [S, H] (the bias alone without a context). Call inside tf.tidy. */
export function contextPart(net: MemberNet, bias: tf.Tensor2D, z: tf.Tensor2D | null): tf.Tensor2D {
  return z && net.w1z ? (tf.add(tf.matMul(z, net.w1z), bias) as tf.Tensor2D) : bias;
}

/**
 * Heads for every row of x [N, P] under every context of z [S, Z] (or none): [N, S, O] with
 * S = 1 when z is null. Call inside tf.tidy.
 */
export function gridHeads(net: MemberNet, bias: tf.Tensor2D, x: tf.Tensor2D, z: tf.Tensor2D | null): tf.Tensor3D {
  return headsFrom(net, x, contextPart(net, bias, z));
}

/** gridHeads from the contexts' first-layer share (contextPart), for callers that keep it across calls. Call inside tf.tidy. */
export function headsFrom(net: MemberNet, x: tf.Tensor2D, ctxPart: tf.Tensor2D): tf.Tensor3D {
  const n = x.shape[0];
  const h = net.b1.shape[1];
  const rowPart = tf.matMul(x, net.w1x);
  const s = ctxPart.shape[0];
  const pre = tf.reshape(tf.add(tf.reshape(rowPart, [n, 1, h]), tf.reshape(ctxPart, [1, s, h])), [n * s, h]);
  const heads = mlpFrom(pre, net.rest);
  return tf.reshape(heads, [n, s, heads.shape[1]!]);
}
