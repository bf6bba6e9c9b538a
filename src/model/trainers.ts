// One optimisation step of each trainer, as one batched computation over all weight copies.
//  - joint: every member's shared weights and the q(z) of a minibatch of levels, one Adam step.
//  - reptile: per task (level) a copy of its member's weights; the inner loop fits the task's q(z)
//    (with its KL) for `contextSteps`, then takes `innerSteps` on weights + q(z); the outer
//    update moves each member towards the mean adapted weights, θ ← θ + ε·mean(θ̃ − θ).
//  - reptile-plain: the same without a context (Reptile on all weights, the literature's setup).
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import { adamDispose, adamInit, adamStep, type AdamState } from './adam.js';
import type { LevelRows } from './data.js';
import type { Training } from './training.js';
import { batchArrays, copyLoss, disposeBatch, uploadBatch, type Batch } from './elbo.js';

function normals(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/**
 * Loss and gradients of the batch. Trainable: the weights and q(z) when `trainWeights`, else
 * only q(z) (weights held fixed). Gradients come back in that order.
 */
function lossAndGrads(
  model: Training,
  w: readonly tf.Tensor[],
  q: readonly tf.Tensor[],
  trainWeights: boolean,
  batch: Batch,
  eps: tf.Tensor | null,
): { loss: number; grads: tf.Tensor[] } {
  const nW = w.length;
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const ww = trainWeights ? ps.slice(0, nW) : w;
      const qq = trainWeights ? ps.slice(nW) : ps;
      return tf.sum(copyLoss(model.outputs, ww, qq[0] ?? null, qq[1] ?? null, batch, eps, model.config.weightDecay));
    })(trainWeights ? [...w, ...q] : [...q]),
  );
  const total = value.dataSync()[0]!;
  value.dispose();
  return { loss: total / batch.copies, grads };
}

/** Pick `count` distinct indices out of `pool` (all of them, shuffled, when count ≥ pool). */
export function pickLevels(rng: Rng, pool: readonly number[], count: number): number[] {
  return rng.shuffle([...pool]).slice(0, Math.min(count, pool.length));
}

/** A joint step. `train` are level indices (into `levels` and the model's q rows). */
export function jointStep(model: Training, levels: readonly LevelRows[], train: readonly number[], adam: AdamState, rng: Rng, lrs: { lr: number; contextLr: number }): number {
  const E = model.ensemble;
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const assign = Array.from({ length: E }, (_, e) => pickLevels(rng.fork(`m${e}`), train, model.config.batchLevels));
  const arrays = batchArrays(levels, assign, model.shape.perPlaytest, model.spec.metrics.length, (c, k) => c * L + assign[c]![k]!, E * L);
  const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  const eps = Z > 0 ? tf.tensor2d(normals(rng.fork('eps'), arrays.copies * arrays.slots * Z), [arrays.copies * arrays.slots, Z]) : null;
  const q = model.qMu && model.qLogSig ? [model.qMu, model.qLogSig] : [];
  const params: tf.Variable[] = [...model.weights, ...q];
  const { loss, grads } = lossAndGrads(model, model.weights, q, true, batch, eps);
  const lr = params.map((_, k) => (k < model.weights.length ? lrs.lr : lrs.contextLr));
  const seen = new Float32Array(E * L);
  assign.forEach((levelsOf, c) => levelsOf.forEach((l) => (seen[c * L + l] = 1)));
  const mask = q.length > 0 ? tf.tensor2d(seen, [E * L, 1]) : null;
  const next = adamStep(params, grads, adam, lr, undefined, params.map((_, k) => (k < model.weights.length ? null : mask)));
  params.forEach((p, k) => p.assign(next[k]!));
  tf.dispose([...grads, ...next, ...(eps ? [eps] : []), ...(mask ? [mask] : [])]);
  disposeBatch(batch);
  return loss;
}

export interface InnerResult {
  /** adapted per-task weights [C, …] (C = E·T, copy e·T + t) */
  tilde: tf.Tensor[];
  /** the tasks' adapted q(z) rows [C, Z] */
  qMu: tf.Tensor | null;
  qLogSig: tf.Tensor | null;
  loss: number;
}

/**
 * Reptile's inner loop for a meta-batch: `assign[e]` are member e's tasks (level indices, each
 * also its q row e·L + level). The random numbers of a task depend only on (member, level), so a
 * task gives the same result alone or in any meta-batch.
 */
export function reptileInner(model: Training, levels: readonly LevelRows[], assign: readonly (readonly number[])[], rng: Rng): InnerResult {
  const cfg = model.config;
  const E = model.ensemble;
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const T = assign[0]!.length;
  const C = E * T;
  const taskOf = (c: number): number => assign[Math.floor(c / T)]![c % T]!;
  const single = Array.from({ length: C }, (_, c) => [taskOf(c)]);
  const arrays = batchArrays(levels, single, model.shape.perPlaytest, model.spec.metrics.length, (c) => c, C);
  const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  const member = tf.tensor1d(Int32Array.from({ length: C }, (_, c) => Math.floor(c / T)), 'int32');
  let w: tf.Tensor[] = model.weights.map((v) => tf.gather(v, member));
  let q: tf.Tensor[] = [];
  if (Z > 0 && model.qMu && model.qLogSig) {
    const rows = tf.tensor1d(Int32Array.from({ length: C }, (_, c) => Math.floor(c / T) * L + taskOf(c)), 'int32');
    q = [tf.gather(model.qMu, rows), tf.gather(model.qLogSig, rows)];
    rows.dispose();
  }
  member.dispose();
  const taskRngs = Array.from({ length: C }, (_, c) => rng.fork(`${Math.floor(c / T)}:${taskOf(c)}`));
  const epsAt = (): tf.Tensor | null => {
    if (Z === 0) return null;
    const a = new Float32Array(C * Z);
    taskRngs.forEach((r, c) => a.set(normals(r, Z), c * Z));
    return tf.tensor2d(a, [C, Z]);
  };
  let loss = 0;
  const nW = w.length;
  const run = (phaseSteps: number, withWeights: boolean): void => {
    let cur = withWeights ? [...w, ...q] : q;
    if (phaseSteps === 0 || cur.length === 0) return;
    const adam = adamInit(cur);
    const lr = cur.map((_, k) => (withWeights && k < nW ? cfg.innerLr : cfg.contextLr));
    for (let i = 0; i < phaseSteps; i++) {
      const eps = epsAt();
      const res = withWeights
        ? lossAndGrads(model, cur.slice(0, nW), cur.slice(nW), true, batch, eps)
        : lossAndGrads(model, w, cur, false, batch, eps);
      const next = adamStep(cur, res.grads, adam, lr, 0);
      tf.dispose([...res.grads, ...cur, ...(eps ? [eps] : [])]);
      cur = next;
      loss = res.loss;
    }
    adamDispose(adam);
    if (withWeights) {
      w = cur.slice(0, nW);
      q = cur.slice(nW);
    } else q = cur;
  };
  run(cfg.contextSteps, false);
  run(cfg.innerSteps, true);
  disposeBatch(batch);
  return { tilde: w, qMu: q[0] ?? null, qLogSig: q[1] ?? null, loss };
}

/** θ_e ← θ_e + ε·(mean_t θ̃_{e,t} − θ_e) for every member; the tasks' q(z) are stored back. */
export function reptileOuter(model: Training, inner: InnerResult, assign: readonly (readonly number[])[], epsilon: number): void {
  const E = model.ensemble;
  const T = assign[0]!.length;
  model.weights.forEach((v, k) => {
    const next = tf.tidy(() => {
      const t = inner.tilde[k]!;
      const mean = tf.mean(tf.reshape(t, [E, T, ...t.shape.slice(1)]), 1);
      return tf.add(v, tf.mul(tf.sub(mean, v), epsilon));
    });
    v.assign(next);
    next.dispose();
  });
  if (inner.qMu && inner.qLogSig && model.qMu && model.qLogSig) {
    const Z = model.shape.context;
    const L = model.levelIds.length;
    for (const [store, fresh] of [
      [model.qMu, inner.qMu],
      [model.qLogSig, inner.qLogSig],
    ] as const) {
      const all = (store.dataSync() as Float32Array).slice();
      const got = fresh.dataSync() as Float32Array;
      assign.forEach((tasks, e) => tasks.forEach((li, t) => all.set(got.subarray((e * T + t) * Z, (e * T + t + 1) * Z), (e * L + li) * Z)));
      const up = tf.tensor2d(all, store.shape as [number, number]);
      store.assign(up);
      up.dispose();
    }
  }
  tf.dispose([...inner.tilde, ...(inner.qMu ? [inner.qMu] : []), ...(inner.qLogSig ? [inner.qLogSig] : [])]);
}

/** A Reptile meta-iteration: `tasks` levels per member drawn from `train`. */
export function reptileStep(model: Training, levels: readonly LevelRows[], train: readonly number[], rng: Rng, epsilon: number): number {
  const T = Math.min(model.config.batchLevels, train.length);
  const assign = Array.from({ length: model.ensemble }, (_, e) => pickLevels(rng.fork(`m${e}`), train, T));
  const inner = reptileInner(model, levels, assign, rng.fork('inner'));
  const loss = inner.loss;
  reptileOuter(model, inner, assign, epsilon);
  return loss;
}
