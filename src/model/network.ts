// The surrogate network: an MLP whose weights carry a leading copy axis [C, in, out] so that an
// ensemble, or a whole Reptile meta-batch of per-task weights, runs as one batched computation.
// Inference slices a member's weights to plain 2-D matrices (XNNPACK's fast path on wasm).
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';

export interface NetShape {
  /** per-playtest inputs P (encoded params, params on their other scale, tester), feature inputs (values + missing flags) F2, context Z */
  perPlaytest: number;
  features: number;
  context: number;
  hidden: number;
  layers: number;
  outputs: number;
}

export const inputWidth = (s: NetShape): number => s.perPlaytest + s.features + s.context;

/** [in, out] of every dense layer. */
export function layerSizes(s: NetShape): [number, number][] {
  const sizes: [number, number][] = [];
  let prev = inputWidth(s);
  for (let i = 0; i < s.layers; i++) {
    sizes.push([prev, s.hidden]);
    prev = s.hidden;
  }
  sizes.push([prev, s.outputs]);
  return sizes;
}

/**
 * Fresh weights for `copies` independent members as flat arrays, in the order W0, b0, W1, b1 …
 * (LeCun-normal weights; the last layer starts small so every level begins near the corpus mean,
 * its biases at `outBias`).
 */
export function initWeights(s: NetShape, copies: number, rngs: readonly Rng[], outBias: Float32Array): Float32Array[] {
  const sizes = layerSizes(s);
  const out: Float32Array[] = [];
  sizes.forEach(([i, o], li) => {
    const last = li === sizes.length - 1;
    const w = new Float32Array(copies * i * o);
    const b = new Float32Array(copies * o);
    for (let c = 0; c < copies; c++) {
      const rng = rngs[c]!;
      const sd = (last ? 0.1 : 1) / Math.sqrt(i);
      for (let k = 0; k < i * o; k++) w[c * i * o + k] = rng.normal() * sd;
      if (last) b.set(outBias, c * o);
    }
    out.push(w, b);
  });
  return out;
}

export function weightShapes(s: NetShape, copies: number): number[][] {
  return layerSizes(s).flatMap(([i, o]) => [
    [copies, i, o],
    [copies, 1, o],
  ]);
}

/** x·sigmoid(x): smooth like tanh but ~4× cheaper on wasm, where tanh is a slow kernel. */
export function act(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * Hidden layers and heads from a first-layer pre-activation and the later layers' weights. Works for batched weights
 * ([C, in, out] with h [C, R, in]) and plain ones ([in, out] with h [R, in]).
 */
export function mlpFrom(pre: tf.Tensor, rest: readonly tf.Tensor[]): tf.Tensor {
  let h = act(pre);
  const n = rest.length / 2;
  for (let l = 0; l < n; l++) {
    const z = tf.add(tf.matMul(h as tf.Tensor3D, rest[2 * l] as tf.Tensor3D), rest[2 * l + 1]!);
    h = l === n - 1 ? z : act(z);
  }
  return h;
}

/** The full network on inputs [C, R, in] with batched weights. */
export function forward(input: tf.Tensor, weights: readonly tf.Tensor[]): tf.Tensor {
  const pre = tf.add(tf.matMul(input as tf.Tensor3D, weights[0] as tf.Tensor3D), weights[1]!);
  return mlpFrom(pre, weights.slice(2));
}

/** One ensemble member's weights as 2-D matrices, the first layer split by input block. */
export interface MemberNet {
  w1x: tf.Tensor2D;
  w1f: tf.Tensor2D;
  w1z: tf.Tensor2D | null;
  b1: tf.Tensor2D;
  rest: tf.Tensor[];
}

/** Split batched weights [E, in, out] into each member's 2-D matrices (kept; dispose with disposeNets). */
export function memberNets(weights: readonly tf.Tensor[], shape: NetShape): MemberNet[] {
  const { perPlaytest: P, features: F2, context: Z, hidden: H } = shape;
  const E = weights[0]!.shape[0]!;
  const nets: MemberNet[] = [];
  for (let e = 0; e < E; e++) {
    const pick = (t: tf.Tensor): tf.Tensor => tf.tidy(() => tf.squeeze(tf.slice(t, [e, 0, 0], [1, -1, -1]), [0]));
    const w1 = pick(weights[0]!) as tf.Tensor2D;
    const net: MemberNet = {
      w1x: tf.slice(w1, [0, 0], [P, H]),
      w1f: tf.slice(w1, [P, 0], [F2, H]),
      w1z: Z > 0 ? tf.slice(w1, [P + F2, 0], [Z, H]) : null,
      b1: pick(weights[1]!) as tf.Tensor2D,
      rest: weights.slice(2).map(pick),
    };
    for (const t of netTensors(net)) tf.keep(t);
    nets.push(net);
    w1.dispose();
  }
  return nets;
}

function netTensors(n: MemberNet): tf.Tensor[] {
  return [n.w1x, n.w1f, n.b1, ...n.rest, ...(n.w1z ? [n.w1z] : [])];
}

export function disposeNets(nets: readonly MemberNet[]): void {
  for (const n of nets) tf.dispose(netTensors(n));
}
