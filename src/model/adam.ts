// Adam with its moments as tensors, so the optimizer state is saved in checkpoints and a batched
// computation updates every copy's weights element-wise in one go.
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
 */
export function adamStep(
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  s: AdamState,
  lr: readonly number[],
  beta1 = BETA1,
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
      return [tf.sub(p, tf.mul(step, lr[i]!)), mi, vi];
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
