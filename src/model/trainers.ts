// One optimisation step of each trainer, as one batched computation over all weight copies.
//  - joint: every member's shared weights and the q(z) of a minibatch of levels, one Adam step.
//  - reptile: per task (level) a copy of its member's weights; the inner loop fits the task's q(z)
//    (with its KL) for `contextSteps`, then takes `innerSteps` on weights + q(z); the outer
//    update moves each member towards the mean adapted weights, θ ← θ + ε·mean(θ̃ − θ).
//  - reptile-plain: the same without a context (Reptile on all weights, the literature's setup).
//  - fomaml: first-order MAML with reptile's per-level context: each task's playtests are split
//    into support and query; the same inner loop runs on the support; the gradient of the query
//    loss at the adapted weights, averaged over a member's tasks, is the member's meta-gradient,
//    which the outer Adam applies to the initial weights (the first-order approximation of MAML, Finn,
//    Abbeel & Levine 2017).
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import { adamDispose, adamInit, adamStep, type AdamState } from './adam.js';
import type { LevelRows } from './data.js';
import type { Training } from './training.js';
import { batchArrays, copyLoss, disposeBatch, uploadBatch, type Batch } from './elbo.js';
import { splitEpisode } from './episodes.js';

function normals(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** Which trainables a gradient is taken for (the others held fixed). */
type Wrt = 'all' | 'weights' | 'context';

/** Loss and gradients of the batch w.r.t. `wrt`: the weights' first, then q(z)'s. */
function lossAndGrads(
  model: Training,
  w: readonly tf.Tensor[],
  q: readonly tf.Tensor[],
  wrt: Wrt,
  batch: Batch,
  eps: tf.Tensor | null,
): { loss: number; grads: tf.Tensor[] } {
  const withW = wrt !== 'context';
  const withQ = wrt !== 'weights';
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const ww = withW ? ps.slice(0, w.length) : w;
      const qq = withQ ? ps.slice(withW ? w.length : 0) : q;
      return tf.sum(copyLoss(model.outputs, ww, qq[0] ?? null, qq[1] ?? null, batch, eps, model.config.weightDecay));
    })([...(withW ? w : []), ...(withQ ? q : [])]),
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
  const { loss, grads } = lossAndGrads(model, model.weights, q, 'all', batch, eps);
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

/** Standard normals [C, Z] for C tasks, each from its own stream (null without a context). */
function taskNormals(taskRngs: readonly Rng[], Z: number): tf.Tensor | null {
  if (Z === 0) return null;
  const a = new Float32Array(taskRngs.length * Z);
  taskRngs.forEach((r, c) => a.set(normals(r, Z), c * Z));
  return tf.tensor2d(a, [taskRngs.length, Z]);
}

/** The meta-batch's tasks: copy c = e·T + t is member e's t-th level. */
class Tasks {
  readonly T: number;
  readonly C: number;
  constructor(
    readonly assign: readonly (readonly number[])[],
    readonly levelCount: number,
  ) {
    this.T = assign[0]!.length;
    this.C = assign.length * this.T;
  }
  member(c: number): number {
    return Math.floor(c / this.T);
  }
  level(c: number): number {
    return this.assign[this.member(c)]![c % this.T]!;
  }
  /** a random stream per task that depends only on (member, level): a task gives the same result alone or in any meta-batch */
  streams(rng: Rng): Rng[] {
    return Array.from({ length: this.C }, (_, c) => rng.fork(`${this.member(c)}:${this.level(c)}`));
  }
  /** one copy per task, its rows `rowsOf(c)` */
  batch(model: Training, rowsOf: (c: number) => LevelRows): Batch {
    const own = Array.from({ length: this.C }, (_, c) => rowsOf(c));
    const arrays = batchArrays(own, own.map((_, c) => [c]), model.shape.perPlaytest, model.spec.metrics.length, (c) => c, this.C);
    return uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  }
}

/**
 * Reptile's inner loop for a meta-batch: `assign[e]` are member e's tasks (level indices, each
 * also its q row e·L + level), fitted on all of their playtests.
 */
export function reptileInner(model: Training, levels: readonly LevelRows[], assign: readonly (readonly number[])[], rng: Rng): InnerResult {
  const tasks = new Tasks(assign, model.levelIds.length);
  const batch = tasks.batch(model, (c) => levels[tasks.level(c)]!);
  try {
    return innerLoop(model, tasks, batch, rng);
  } finally {
    disposeBatch(batch);
  }
}

/**
 * The inner loop on `batch` (one copy per task): from each task's member weights and stored q(z),
 * the task's q(z) alone for `contextSteps`, then weights and q(z) for `innerSteps` (Adam, β1 = 0).
 */
function innerLoop(model: Training, tasks: Tasks, batch: Batch, rng: Rng): InnerResult {
  const cfg = model.config;
  const { C } = tasks;
  const L = tasks.levelCount;
  const Z = model.shape.context;
  const member = tf.tensor1d(Int32Array.from({ length: C }, (_, c) => tasks.member(c)), 'int32');
  let w: tf.Tensor[] = model.weights.map((v) => tf.gather(v, member));
  let q: tf.Tensor[] = [];
  if (Z > 0 && model.qMu && model.qLogSig) {
    const rows = tf.tensor1d(Int32Array.from({ length: C }, (_, c) => tasks.member(c) * L + tasks.level(c)), 'int32');
    q = [tf.gather(model.qMu, rows), tf.gather(model.qLogSig, rows)];
    rows.dispose();
  }
  member.dispose();
  const taskRngs = tasks.streams(rng);
  let loss = 0;
  const nW = w.length;
  const run = (phaseSteps: number, withWeights: boolean): void => {
    let cur = withWeights ? [...w, ...q] : q;
    if (phaseSteps === 0 || cur.length === 0) return;
    const adam = adamInit(cur);
    const lr = cur.map((_, k) => (withWeights && k < nW ? cfg.innerLr : cfg.contextLr));
    for (let i = 0; i < phaseSteps; i++) {
      const eps = taskNormals(taskRngs, Z);
      const res = withWeights
        ? lossAndGrads(model, cur.slice(0, nW), cur.slice(nW), 'all', batch, eps)
        : lossAndGrads(model, w, cur, 'context', batch, eps);
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
  return { tilde: w, qMu: q[0] ?? null, qLogSig: q[1] ?? null, loss };
}

/** Per member, the mean over its T tasks of a per-task tensor [E·T, …] → [E, …]. */
function taskMean(t: tf.Tensor, E: number, T: number): tf.Tensor {
  return tf.mean(tf.reshape(t, [E, T, ...t.shape.slice(1)]), 1);
}

/** θ_e ← θ_e + ε·(mean_t θ̃_{e,t} − θ_e) for every member; the tasks' q(z) are stored back. */
export function reptileOuter(model: Training, inner: InnerResult, assign: readonly (readonly number[])[], epsilon: number): void {
  const E = model.ensemble;
  const T = assign[0]!.length;
  model.weights.forEach((v, k) => {
    const next = tf.tidy(() => tf.add(v, tf.mul(tf.sub(taskMean(inner.tilde[k]!, E, T), v), epsilon)));
    v.assign(next);
    next.dispose();
  });
  storeContexts(model, inner, assign);
}

/** The tasks' adapted q(z) become their levels' stored q(z) (the next visit starts there); frees the inner result. */
function storeContexts(model: Training, inner: InnerResult, assign: readonly (readonly number[])[]): void {
  const T = assign[0]!.length;
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

/** A meta-batch: `batchLevels` tasks per member drawn from `train` (member e's from rng.fork('m' + e)). */
function metaBatch(model: Training, train: readonly number[], rng: Rng): number[][] {
  const T = Math.min(model.config.batchLevels, train.length);
  return Array.from({ length: model.ensemble }, (_, e) => pickLevels(rng.fork(`m${e}`), train, T));
}

/** A Reptile meta-iteration. */
export function reptileStep(model: Training, levels: readonly LevelRows[], train: readonly number[], rng: Rng, epsilon: number): number {
  const assign = metaBatch(model, train, rng);
  const inner = reptileInner(model, levels, assign, rng.fork('inner'));
  const loss = inner.loss;
  reptileOuter(model, inner, assign, epsilon);
  return loss;
}

export interface MetaGradient {
  /** per member the mean over its tasks of ∇θ̃ L_query(θ̃) [E, …] (the layout of model.weights) */
  grads: tf.Tensor[];
  /** the inner loop's result on the support sets */
  inner: InnerResult;
  /** mean query loss per task */
  loss: number;
}

/**
 * FOMAML's meta-gradient for a meta-batch. Task (e, level) splits its playtests with the stream
 * rng.fork('split').fork('e:level'), runs the inner loop on its support (noise from
 * rng.fork('inner')), and takes the gradient of its query loss (noise from rng.fork('query')) at
 * the adapted weights and q(z), w.r.t. the weights only: the first-order approximation drops the
 * inner loop's Jacobian.
 */
export function fomamlGradient(model: Training, levels: readonly LevelRows[], assign: readonly (readonly number[])[], rng: Rng): MetaGradient {
  const tasks = new Tasks(assign, model.levelIds.length);
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const episodes = tasks.streams(rng.fork('split')).map((r, c) => splitEpisode(levels[tasks.level(c)]!, r, P, M));
  const support = tasks.batch(model, (c) => episodes[c]!.support);
  const query = tasks.batch(model, (c) => episodes[c]!.query);
  try {
    const inner = innerLoop(model, tasks, support, rng.fork('inner'));
    const eps = taskNormals(tasks.streams(rng.fork('query')), model.shape.context);
    const q = inner.qMu && inner.qLogSig ? [inner.qMu, inner.qLogSig] : [];
    const res = lossAndGrads(model, inner.tilde, q, 'weights', query, eps);
    const grads = res.grads.map((g) => tf.tidy(() => taskMean(g, assign.length, tasks.T)));
    tf.dispose([...res.grads, ...(eps ? [eps] : [])]);
    return { grads, inner, loss: res.loss };
  } finally {
    disposeBatch(support);
    disposeBatch(query);
  }
}

/** A FOMAML meta-iteration: the meta-gradient applied to the members' weights by the outer Adam (`adam`, step size `lr`). */
export function fomamlStep(model: Training, levels: readonly LevelRows[], train: readonly number[], adam: AdamState, rng: Rng, lr: number): number {
  const assign = metaBatch(model, train, rng);
  const meta = fomamlGradient(model, levels, assign, rng);
  const next = adamStep(model.weights, meta.grads, adam, model.weights.map(() => lr));
  model.weights.forEach((v, k) => v.assign(next[k]!));
  tf.dispose([...meta.grads, ...next]);
  storeContexts(model, meta.inner, assign);
  return meta.loss;
}
