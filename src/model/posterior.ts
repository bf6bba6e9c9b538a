// A level's context posterior p(z | its playtests) ∝ N(z; 0, I) · Π p(playtest | z), with exactly
// the likelihood used in training, approximated per ensemble member by a Gaussian fitted with
// adaptive importance sampling: proposals start at the prior and move to the weighted fit of the
// previous round; early rounds temper the likelihood so many playtests do not collapse the
// weights onto one sample. Forward passes only (no gradients): 3 rounds, each one pass with all
// ensemble members' heads stacked.
// K = 0 gives the prior exactly. Deterministic: the base normals are fixed.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng.js';
import type { LevelRows } from './data.js';
import { gridHeads, levelBias } from './inference.js';
import { rowLogLik } from './likelihood.js';
import type { Model } from './model.js';

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

/** Σ log-likelihood of the level's rows under each member's contexts z [E, n, Z] → [E·n]. */
export function contextLogLik(model: Model, rows: LevelRows, z: Float32Array, n: number): Float32Array {
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const Z = model.shape.context;
  const ll = tf.tidy(() => {
    const x = tf.tensor2d(rows.x, [rows.rows, P]);
    // per member 2-D matMuls (the fast kernel), one likelihood pass over the stacked heads
    const heads = tf.stack(
      model.members().map((net, e) => gridHeads(net, levelBias(net, rows.feat), x, tf.tensor2d(z.subarray(e * n * Z, (e + 1) * n * Z), [n, Z]))),
    );
    const y = tf.tensor4d(rows.y, [1, rows.rows, 1, M]);
    const obs = tf.tensor4d(rows.obs, [1, rows.rows, 1, M]);
    return tf.sum(rowLogLik(model.layout, heads, y, obs), 1);
  });
  const out = (ll.dataSync() as Float32Array).slice();
  ll.dispose();
  return out;
}

/** Likelihood rows per member and round: samples = clamp(ROW_BUDGET / K, 24, 64). */
const ROW_BUDGET = 384;

/** Gaussian approximations of every member's context posterior given a level's playtests. */
export function contextPosteriors(model: Model, rows: LevelRows): Gaussian[] {
  const Z = model.shape.context;
  const E = model.ensemble;
  let gs = Array.from({ length: E }, () => priorGaussian(Z));
  const K = rows.rows;
  if (K === 0 || Z === 0) return gs;
  const n = Math.max(24, Math.min(64, Math.floor(ROW_BUDGET / K)));
  const u = baseNormals(n, Z);
  const betas = K <= 3 ? [1, 1, 1] : [Math.min(1, 4 / K), 1, 1];
  betas.forEach((beta, round) => {
    const zs = gs.map((g) => transform(g, u, n, Z));
    const zAll = new Float32Array(E * n * Z);
    zs.forEach((z, e) => zAll.set(z, e * n * Z));
    const llAll = contextLogLik(model, rows, zAll, n);
    const inflate = round === betas.length - 1 ? 1 : 1.5;
    gs = gs.map((g, e) => refit(g, zs[e]!, u, llAll.subarray(e * n, (e + 1) * n), beta, inflate, n, Z));
  });
  return gs;
}

/** One importance-sampling round: weights ∝ prior · likelihood^β / proposal, then the weighted Gaussian. */
function refit(g: Gaussian, z: Float32Array, u: Float64Array, ll: Float32Array, beta: number, inflate: number, n: number, Z: number): Gaussian {
  let logDet = 0;
  for (let i = 0; i < Z; i++) logDet += Math.log(g.chol[i * Z + i]!);
  const w = new Float64Array(n);
  let max = -Infinity;
  for (let s = 0; s < n; s++) {
    let zz = 0;
    let uu = 0;
    for (let i = 0; i < Z; i++) {
      zz += z[s * Z + i]! ** 2;
      uu += u[s * Z + i]! ** 2;
    }
    const v = beta * (Number.isFinite(ll[s]!) ? ll[s]! : -1e30) - 0.5 * zz + 0.5 * uu + logDet;
    w[s] = v;
    if (v > max) max = v;
  }
  let total = 0;
  for (let s = 0; s < n; s++) total += w[s] = Math.exp(w[s]! - max);
  const mean = new Array<number>(Z).fill(0);
  for (let s = 0; s < n; s++) for (let i = 0; i < Z; i++) mean[i]! += (w[s]! / total) * z[s * Z + i]!;
  const cov = new Array<number>(Z * Z).fill(0);
  for (let s = 0; s < n; s++) {
    const ws = w[s]! / total;
    for (let i = 0; i < Z; i++) {
      const di = z[s * Z + i]! - mean[i]!;
      for (let j = 0; j <= i; j++) cov[i * Z + j]! += ws * di * (z[s * Z + j]! - mean[j]!);
    }
  }
  for (let i = 0; i < Z; i++) {
    cov[i * Z + i] = cov[i * Z + i]! * inflate + 1e-4;
    for (let j = 0; j < i; j++) cov[j * Z + i] = cov[i * Z + j] = cov[i * Z + j]! * inflate;
  }
  return { mean, chol: cholesky(cov, Z) };
}
