// Prototypical Networks (Snell, Swersky & Zemel 2017) over playtests: an MLP embeds a run, a
// class's prototype is the mean embedding of its support runs, a tester's query is the mean
// embedding of its runs, and the class probabilities are a softmax over negative squared distances.
// Meta-trained episodically: every step draws a batch of episodes — per class one query tester
// (k runs of it, k from 1 to maxRuns) and support runs from the class's OTHER testers, so what is
// learned is how to recognise a new tester's kind, not the known testers — and embeds all of the
// batch's runs in one pass. Pure: arrays in, arrays out; tensors live inside the calls.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import { abortPoint } from './abort.js';
import { adamDispose, adamInit, adamStep } from './adam.js';
import { act } from './network.js';

export interface ProtoShape {
  width: number;
  hidden: number;
  embed: number;
}

export interface ProtoTraining {
  steps: number;
  /** episodes per step */
  episodes: number;
  /** support runs per class and episode */
  support: number;
  /** a query tester shows 1 … maxRuns runs */
  maxRuns: number;
  lr: number;
  weightDecay: number;
}

/**
 * Episodes' raw material: input rows [N, width] and, per class, its known testers' row indices
 * (at least two testers per class: a query tester and someone else to build the prototype from).
 */
export interface EpisodeSource {
  x: Float32Array;
  classes: readonly (readonly (readonly number[])[])[];
}

/** Weights W0, b0, W1, b1, W2, b2 (two hidden layers, LeCun-normal). */
export function initProtoNet(shape: ProtoShape, rng: Rng): Float32Array[] {
  return weightShapes(shape).map(([i, o], k) => {
    const w = new Float32Array(i * o);
    // even entries are matrices [in, out]; odd ones biases [1, out], which start at 0
    if (k % 2 === 0) for (let j = 0; j < w.length; j++) w[j] = rng.normal() / Math.sqrt(i);
    return w;
  });
}

function weightShapes(shape: ProtoShape): [number, number][] {
  const { width, hidden, embed } = shape;
  return [
    [width, hidden],
    [1, hidden],
    [hidden, hidden],
    [1, hidden],
    [hidden, embed],
    [1, embed],
  ];
}

/** Embeddings of x [N, width] → [N, embed]. Call inside tf.tidy. */
function embedTensor(w: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D {
  const h1 = act(tf.add(tf.matMul(x, w[0] as tf.Tensor2D), w[1]!));
  const h2 = act(tf.add(tf.matMul(h1 as tf.Tensor2D, w[2] as tf.Tensor2D), w[3]!));
  return tf.add(tf.matMul(h2 as tf.Tensor2D, w[4] as tf.Tensor2D), w[5]!) as tf.Tensor2D;
}

/** Embeddings of n rows of x, [n, embed]. */
export function embedRows(shape: ProtoShape, weights: readonly Float32Array[], x: Float32Array, n: number): Float32Array {
  if (n === 0) return new Float32Array(0);
  return tf.tidy(() => {
    const w = weights.map((a, k) => tf.tensor2d(a, weightShapes(shape)[k]!));
    return embedTensor(w, tf.tensor2d(x.subarray(0, n * shape.width), [n, shape.width])).dataSync() as Float32Array;
  });
}

/** Softmax over negative squared distances from one embedding to each prototype [C, embed]. */
export function prototypeProbabilities(query: ArrayLike<number>, prototypes: Float32Array, embed: number): number[] {
  const C = prototypes.length / embed;
  const logits = Array.from({ length: C }, (_, c) => {
    let d = 0;
    for (let k = 0; k < embed; k++) d += (query[k]! - prototypes[c * embed + k]!) ** 2;
    return -d;
  });
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** One batch of episodes: row indices of every class's support runs, then of every class's query tester's runs. */
function episodeBatch(src: EpisodeSource, opts: ProtoTraining, rng: Rng): { index: Int32Array; k: number } {
  const C = src.classes.length;
  const B = opts.episodes;
  const S = opts.support;
  const k = rng.int(1, opts.maxRuns + 1);
  const index = new Int32Array(B * C * (S + k));
  const queryAt = B * C * S;
  for (let b = 0; b < B; b++) {
    src.classes.forEach((testers, c) => {
      const q = rng.int(0, testers.length);
      const own = testers[q]!;
      const runs = rng.shuffle([...own]);
      for (let i = 0; i < k; i++) index[queryAt + (b * C + c) * k + i] = runs[i % runs.length]!;
      for (let i = 0; i < S; i++) {
        let t = rng.int(0, testers.length - 1);
        if (t >= q) t++;
        const other = testers[t]!;
        index[(b * C + c) * S + i] = other[rng.int(0, other.length)]!;
      }
    });
  }
  return { index, k };
}

/** Episodic meta-training from `init`; returns the trained weights. */
export async function trainProtoNet(
  shape: ProtoShape,
  init: readonly Float32Array[],
  src: EpisodeSource,
  opts: ProtoTraining,
  rng: Rng,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const C = src.classes.length;
  if (C < 2 || src.classes.some((t) => t.length < 2)) throw new Error('internal: prototypical training needs ≥ 2 classes of ≥ 2 testers');
  const B = opts.episodes;
  const S = opts.support;
  const shapes = weightShapes(shape);
  const N = src.x.length / shape.width;
  const x = tf.tensor2d(src.x, [N, shape.width]);
  const eye = tf.tidy(() => tf.reshape(tf.oneHot(tf.range(0, C, 1, 'int32') as tf.Tensor1D, C), [1, C, C]));
  let w: tf.Tensor[] = init.map((a, k) => tf.tensor2d(a, shapes[k]!));
  const adam = adamInit(w);
  try {
    for (let step = 0; step < opts.steps; step++) {
      await abortPoint(signal);
      const { index, k } = episodeBatch(src, opts, rng);
      const lossOf = (...ps: tf.Tensor[]): tf.Scalar => {
        const e = embedTensor(ps, tf.gather(x, tf.tensor1d(index, 'int32')) as tf.Tensor2D);
        const protos = tf.mean(tf.reshape(tf.slice(e, [0, 0], [B * C * S, -1]), [B, 1, C, S, shape.embed]), 3);
        const query = tf.mean(tf.reshape(tf.slice(e, [B * C * S, 0], [B * C * k, -1]), [B, C, 1, k, shape.embed]), 3);
        const logits = tf.neg(tf.sum(tf.square(tf.sub(query, protos)), -1)) as tf.Tensor3D; // [B, query class, prototype]
        const nll = tf.mean(tf.sub(tf.logSumExp(logits, -1), tf.sum(tf.mul(logits, eye), -1)));
        const decay = tf.addN(ps.filter((_, i) => i % 2 === 0).map((p) => tf.sum(tf.square(p))));
        return tf.add(nll, tf.mul(decay, opts.weightDecay / 2)) as tf.Scalar;
      };
      const grads = tf.tidy(() => tf.grads(lossOf)(w));
      const lr = opts.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * step) / opts.steps)));
      const next = adamStep(w, grads, adam, w.map(() => lr));
      tf.dispose([...grads, ...w]);
      w = next;
    }
    return w.map((t) => (t.dataSync() as Float32Array).slice());
  } finally {
    adamDispose(adam);
    tf.dispose([x, eye, ...w]);
  }
}
