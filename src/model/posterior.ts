// A level's context posterior p(z | its playtests) ∝ N(z; 0, I) · Π p(playtest | z), with exactly
// the likelihood used in training, approximated per ensemble member by a Gaussian fitted with
// adaptive importance sampling: proposals start at the prior and move to the weighted fit of the
// previous round; early rounds temper the likelihood so many playtests do not collapse the
// weights onto one sample. Forward passes only (no gradients): ~4 batched passes per member.
// K = 0 gives the prior exactly. Deterministic: the base normals are fixed.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng.js';
import type { LevelRows } from './data.js';
import { gridHeads } from './inference.js';
import { rowLogLik } from './likelihood.js';
import type { MemberNet, Model } from './model.js';

export interface Gaussian {
  mean: number[];
  /** lower Cholesky factor of the covariance, row-major Z×Z */
  chol: number[];
}

const baseCache = new Map<string, Float64Array>();
/** Fixed standard normals [n, Z] (the same for every call: adaptation is deterministic). */
export function baseNormals(n: number, Z: number, label = 'is'): Float64Array {
  const key = `${label}:${n}:${Z}`;
  let u = baseCache.get(key);
  if (!u) {
    const rng = new Rng(0x5eed).fork(key);
    u = new Float64Array(n * Z);
    for (let i = 0; i < u.length; i++) u[i] = rng.normal();
    baseCache.set(key, u);
  }
  return u;
}

export function priorGaussian(Z: number): Gaussian {
  const chol = new Array<number>(Z * Z).fill(0);
  for (let i = 0; i < Z; i++) chol[i * Z + i] = 1;
  return { mean: new Array<number>(Z).fill(0), chol };
}

/** Cholesky of a symmetric positive-definite Z×Z matrix (row-major), jittered if needed. */
export function cholesky(a: number[], Z: number): number[] {
  const l = new Array<number>(Z * Z).fill(0);
  for (let i = 0; i < Z; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * Z + j]!;
      for (let k = 0; k < j; k++) s -= l[i * Z + k]! * l[j * Z + k]!;
      l[i * Z + j] = i === j ? Math.sqrt(Math.max(s, 1e-8)) : s / l[j * Z + j]!;
    }
  }
  return l;
}

/** z = mean + L·u for each row of u [n, Z]. */
export function transform(g: Gaussian, u: ArrayLike<number>, n: number, Z: number): Float32Array {
  const z = new Float32Array(n * Z);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < Z; i++) {
      let v = g.mean[i]!;
      for (let k = 0; k <= i; k++) v += g.chol[i * Z + k]! * u[s * Z + k]!;
      z[s * Z + i] = v;
    }
  }
  return z;
}

/** Σ log-likelihood of the level's rows for each of the contexts z [n, Z] under one member. */
export function contextLogLik(model: Model, net: MemberNet, bias: tf.Tensor2D, rows: LevelRows, z: Float32Array, n: number): Float32Array {
  const P = model.shape.params;
  const M = model.spec.metrics.length;
  const Z = model.shape.context;
  const ll = tf.tidy(() => {
    const x = tf.tensor2d(rows.x, [rows.rows, P]);
    const heads = gridHeads(net, bias, x, tf.tensor2d(z, [n, Z]));
    const y = tf.tensor3d(rows.y, [rows.rows, 1, M]);
    const obs = tf.tensor3d(rows.obs, [rows.rows, 1, M]);
    return tf.sum(rowLogLik(model.layout, heads, y, obs), 0);
  });
  const out = ll.dataSync() as Float32Array;
  ll.dispose();
  return out;
}

/** Likelihood rows per member and round: samples = clamp(ROW_BUDGET / K, 24, 64). */
const ROW_BUDGET = 384;

/** Gaussian approximation of one member's context posterior given a level's playtests. */
export function contextPosterior(model: Model, net: MemberNet, bias: tf.Tensor2D, rows: LevelRows): Gaussian {
  const Z = model.shape.context;
  let g = priorGaussian(Z);
  const K = rows.rows;
  if (K === 0 || Z === 0) return g;
  const n = Math.max(24, Math.min(64, Math.floor(ROW_BUDGET / K)));
  const u = baseNormals(n, Z);
  const betas = K <= 3 ? [1, 1, 1] : [Math.min(1, 4 / K), 1, 1];
  betas.forEach((beta, round) => {
    const z = transform(g, u, n, Z);
    const ll = contextLogLik(model, net, bias, rows, z, n);
    let logDet = 0;
    for (let i = 0; i < Z; i++) logDet += Math.log(g.chol[i * Z + i]!);
    const logW = new Float64Array(n);
    let max = -Infinity;
    for (let s = 0; s < n; s++) {
      let zz = 0;
      let uu = 0;
      for (let i = 0; i < Z; i++) {
        zz += z[s * Z + i]! ** 2;
        uu += u[s * Z + i]! ** 2;
      }
      const v = beta * (Number.isFinite(ll[s]!) ? ll[s]! : -1e30) - 0.5 * zz + 0.5 * uu + logDet;
      logW[s] = v;
      if (v > max) max = v;
    }
    let total = 0;
    for (let s = 0; s < n; s++) total += logW[s] = Math.exp(logW[s]! - max);
    const mean = new Array<number>(Z).fill(0);
    for (let s = 0; s < n; s++) for (let i = 0; i < Z; i++) mean[i]! += (logW[s]! / total) * z[s * Z + i]!;
    const cov = new Array<number>(Z * Z).fill(0);
    for (let s = 0; s < n; s++) {
      const w = logW[s]! / total;
      for (let i = 0; i < Z; i++) {
        const di = z[s * Z + i]! - mean[i]!;
        for (let j = 0; j <= i; j++) cov[i * Z + j]! += w * di * (z[s * Z + j]! - mean[j]!);
      }
    }
    const last = round === betas.length - 1;
    const inflate = last ? 1 : 1.5;
    for (let i = 0; i < Z; i++) {
      cov[i * Z + i] = cov[i * Z + i]! * inflate + 1e-4;
      for (let j = 0; j < i; j++) cov[j * Z + i] = cov[i * Z + j] = cov[i * Z + j]! * inflate;
    }
    g = { mean, chol: cholesky(cov, Z) };
  });
  return g;
}
