// The training objective on a batch laid out for C weight copies (ensemble members, or the
// per-task copies of a Reptile meta-batch): each copy's negative ELBO per playtest,
//   ( −Σ_rows log p(y | params, features, z) + Σ_levels KL(q(z) ‖ N(0, I)) ) / rows
// with z = μ + σ·ε reparameterised, plus the weight prior. One batched computation for all copies.
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRows } from './data.js';
import { klToPrior, rowLogLik } from './likelihood.js';
import type { OutputColumns } from './outputs.js';
import { forward } from './network.js';

/** Host-side arrays of a batch; `slots` levels per copy (padded ones have slotMask 0). */
export interface BatchArrays {
  copies: number;
  rowsPerCopy: number;
  slots: number;
  /** [C, R, P + F2] */
  x: Float32Array;
  /** [C, R, M] */
  y: Float32Array;
  obs: Float32Array;
  /** real rows per copy (normaliser) */
  realRows: Float32Array;
  /** [C, R, slots] one-hot: which of its copy's slots (levels) a row belongs to */
  rowSlot: Float32Array;
  /** [C·slots, qRows] one-hot: which row of the q(z) parameter tensors a slot uses */
  slotQ: Float32Array;
  qRows: number;
  slotMask: Float32Array;
}

export interface Batch {
  copies: number;
  x: tf.Tensor3D;
  y: tf.Tensor3D;
  obs: tf.Tensor3D;
  realRows: tf.Tensor1D;
  rowSlot: tf.Tensor3D;
  slotQ: tf.Tensor2D;
  slotMask: tf.Tensor1D;
}

/**
 * Lay out levels for C copies: copy c gets levels `assign[c]` (its rows contiguous, padded to the
 * longest copy). `qRow(c, k)` is the q(z) row (of `qRows`) of copy c's k-th level. Selections
 * are one-hot matrices (matMul) rather than gathers: the wasm backend lacks gather's gradient.
 */
export function batchArrays(
  levels: readonly LevelRows[],
  assign: readonly (readonly number[])[],
  P: number,
  M: number,
  qRow: (c: number, k: number) => number,
  qRows: number,
): BatchArrays {
  const C = assign.length;
  const slots = Math.max(1, ...assign.map((a) => a.length));
  const R = Math.max(1, ...assign.map((a) => a.reduce((s, li) => s + levels[li]!.rows, 0)));
  const F2 = levels[0]?.feat.length ?? 0;
  const D = P + F2;
  const x = new Float32Array(C * R * D);
  const y = new Float32Array(C * R * M);
  const obs = new Float32Array(C * R * M);
  const realRows = new Float32Array(C);
  const rowSlot = new Float32Array(C * R * slots);
  const slotQ = new Float32Array(C * slots * qRows);
  const slotMask = new Float32Array(C * slots);
  assign.forEach((list, c) => {
    let r = 0;
    list.forEach((li, k) => {
      const l = levels[li]!;
      const slot = c * slots + k;
      slotQ[slot * qRows + qRow(c, k)] = 1;
      slotMask[slot] = 1;
      for (let i = 0; i < l.rows; i++, r++) {
        const row = c * R + r;
        x.set(l.x.subarray(i * P, (i + 1) * P), row * D);
        x.set(l.feat, row * D + P);
        y.set(l.y.subarray(i * M, (i + 1) * M), row * M);
        obs.set(l.obs.subarray(i * M, (i + 1) * M), row * M);
        rowSlot[row * slots + k] = 1;
      }
    });
    realRows[c] = Math.max(1, list.reduce((s, li) => s + levels[li]!.rows, 0));
  });
  return { copies: C, rowsPerCopy: R, slots, x, y, obs, realRows, rowSlot, slotQ, qRows, slotMask };
}

export function uploadBatch(a: BatchArrays, D: number, M: number): Batch {
  const { copies: C, rowsPerCopy: R } = a;
  return {
    copies: C,
    x: tf.tensor3d(a.x, [C, R, D]),
    y: tf.tensor3d(a.y, [C, R, M]),
    obs: tf.tensor3d(a.obs, [C, R, M]),
    realRows: tf.tensor1d(a.realRows),
    rowSlot: tf.tensor3d(a.rowSlot, [C, R, a.slots]),
    slotQ: tf.tensor2d(a.slotQ, [C * a.slots, a.qRows]),
    slotMask: tf.tensor1d(a.slotMask),
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y, b.obs, b.realRows, b.rowSlot, b.slotQ, b.slotMask]);
}

/**
 * Per-copy loss [C]. `weights` [C, …] per layer; `qMu`/`qLogSig` the q(z) rows the batch's slotQ
 * indexes (null without a context); `eps` [C·slots, Z] standard normals.
 */
export function copyLoss(
  outputs: OutputColumns,
  weights: readonly tf.Tensor[],
  qMu: tf.Tensor | null,
  qLogSig: tf.Tensor | null,
  batch: Batch,
  eps: tf.Tensor | null,
  weightDecay: number,
): tf.Tensor1D {
  const C = batch.copies;
  let input: tf.Tensor = batch.x;
  let kl: tf.Tensor | null = null;
  if (qMu && qLogSig && eps) {
    const mu = tf.matMul(batch.slotQ, qMu as tf.Tensor2D);
    const ls = tf.matMul(batch.slotQ, qLogSig as tf.Tensor2D);
    const zSlots = tf.add(mu, tf.mul(tf.exp(ls), eps));
    const zRows = tf.matMul(batch.rowSlot, tf.reshape(zSlots, [C, batch.rowSlot.shape[2], -1]));
    input = tf.concat([batch.x, zRows], 2);
    kl = tf.sum(tf.reshape(tf.mul(klToPrior(mu, ls), batch.slotMask), [C, -1]), 1);
  }
  const heads = forward(input, weights);
  const ll = tf.sum(rowLogLik(outputs, heads, batch.y, batch.obs), 1);
  let nelbo = kl ? tf.sub(kl, ll) : tf.neg(ll);
  nelbo = tf.div(nelbo, batch.realRows);
  if (weightDecay > 0) {
    const sq = weights.filter((_, k) => k % 2 === 0).map((w) => tf.sum(tf.reshape(tf.square(w), [C, -1]), 1));
    nelbo = tf.add(nelbo, tf.mul(tf.addN(sq), weightDecay / 2));
  }
  return nelbo as tf.Tensor1D;
}
