// Adam with its moments as tensors, so a batched computation updates every copy's weights
// element-wise in one go (training.ts keeps the moments in the training state, to resume from).
import * as tf from '@tensorflow/tfjs-core';

export interface AdamState {
  m: tf.Tensor[];
  v: tf.Tensor[];
  /** steps taken (bias correction) */
  t: number;
}

export const BETA1 = 0.9;
export const BETA2 = 0.999;
const EPS = 1e-8;

export function adamInit(params: readonly tf.Tensor[]): AdamState {
  return { m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)), t: 0 };
}

export function adamDispose(s: AdamState): void {
  tf.dispose([...s.m, ...s.v]);
}

/**
 * One Adam step on plain tensors: returns the new params and replaces (and disposes) the state's
 * moments. `lr` per param group; `beta1` 0 gives RMSProp-like steps (Reptile's inner loop).
 * `rows[i]`, when given, is a [rows, 1] 0/1 mask of the rows of param i that this step saw: the
 * others keep their value and moments (lazy Adam), so a table of per-level q(z) is not pushed along
 * by stale momentum while other levels are in the batch.
 */
export function adamStep(
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  s: AdamState,
  lr: readonly number[],
  beta1 = BETA1,
  rows: readonly (tf.Tensor | null)[] = [],
): tf.Tensor[] {
  s.t += 1;
  const c1 = 1 - Math.pow(beta1, s.t);
  const c2 = 1 - Math.pow(BETA2, s.t);
  const out: tf.Tensor[] = [];
  const m: tf.Tensor[] = [];
  const v: tf.Tensor[] = [];
  params.forEach((p, i) => {
    const [np, nm, nv] = tf.tidy(() => {
      const g = grads[i]!;
      const mi = tf.add(tf.mul(s.m[i]!, beta1), tf.mul(g, 1 - beta1));
      const vi = tf.add(tf.mul(s.v[i]!, BETA2), tf.mul(tf.square(g), 1 - BETA2));
      const step = tf.div(tf.div(mi, c1), tf.add(tf.sqrt(tf.div(vi, c2)), EPS));
      const next = tf.sub(p, tf.mul(step, lr[i]!));
      const mask = rows[i];
      if (!mask) return [next, mi, vi];
      const pick = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b));
      return [pick(next, p), pick(mi, s.m[i]!), pick(vi, s.v[i]!)];
    });
    out.push(np!);
    m.push(nm!);
    v.push(nv!);
  });
  tf.dispose([...s.m, ...s.v]);
  s.m = m;
  s.v = v;
  return out;
}
