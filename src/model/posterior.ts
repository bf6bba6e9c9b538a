// A level's posterior over θ = (z, δ): its context z ~ N(0, I), which moves every metric the way
// the corpus taught, and a per-level residual δ ~ N(0, diag τ²), one link-space shift per metric
// (model.residualSd), which lets a level's own evidence move a metric the shared network cannot
// move through z alone. δ's prior is a Student-t (ν = RESIDUAL_NU, scale τ): small residuals are
// shrunk as hard as a normal would, but the prior's pull is bounded, so where a level's playtests
// show a large, well-supported miss of the shared network they win as they accumulate. With exactly the likelihood used in training, by a Laplace approximation
// per ensemble member: Fisher-scoring Newton steps to the MAP, and the inverse of the (prior +
// Fisher) information there as the covariance. Its accuracy does not fall as K grows, and the
// residual makes a metric's spread at a setting played K times shrink like 1/√K instead of freezing
// at what z can express. Each step costs one forward pass of every member at the centre and at ±h
// along each context axis, whose differences give the heads' Jacobian in z (in δ it is 1 on the
// metric's mean columns); the gradient and the information are then plain sums over rows
// (heads.ts). K = 0 gives the prior exactly.
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRows } from './data.js';
import { cholesky, cholInverse, cholSolve } from './dense.js';
import { rowLikelihood } from './heads.js';
import { gridHeads, levelBias } from './inference.js';
import type { MetaModel } from './model.js';
import { meanColumns } from './outputs.js';

export interface ContextPosterior {
  /** θ = (z, δ over residualMetrics(model)): length D = Z + that count */
  mean: Float64Array;
  /** lower Cholesky factor of the covariance, row-major D×D */
  chol: Float64Array;
  /** Newton steps taken, and whether the last one was below the tolerance */
  iterations: number;
  converged: boolean;
}

/** Finite-difference step in z (prior sd 1; float32 heads keep the Jacobian accurate to ~1e-5). */
const H = 1e-2;
const MAX_STEPS = 12;
/** A Newton step shorter than this (in prior sds) ends the search. */
const TOLERANCE = 1e-3;
/** No single step moves further than this (the first steps from the prior can overshoot). */
const MAX_STEP = 2;

/** Degrees of freedom of the residual's Student-t prior. */
const RESIDUAL_NU = 2;

/** Internal metric positions that carry a residual (τ > 0). */
export function residualMetrics(model: MetaModel): number[] {
  return model.residualSd.flatMap((t, k) => (t > 0 ? [k] : []));
}

/** Head columns a metric's residual shifts: the logit of a rate, the mean of each Gaussian branch. */
export function residualColumns(model: MetaModel, k: number): number[] {
  return meanColumns(model.outputs.metrics[k]!);
}

/** The head-space shift (length O) of a θ's residual part. */
export function headShift(model: MetaModel, theta: ArrayLike<number>, offset = 0): Float32Array {
  const Z = model.shape.context;
  const shift = new Float32Array(model.outputs.width);
  residualMetrics(model).forEach((k, f) => {
    for (const o of residualColumns(model, k)) shift[o]! += theta[offset + Z + f]!;
  });
  return shift;
}

function priorPosterior(model: MetaModel): ContextPosterior {
  const Z = model.shape.context;
  const tau = residualMetrics(model).map((k) => model.residualSd[k]!);
  const D = Z + tau.length;
  const chol = new Float64Array(D * D);
  for (let i = 0; i < D; i++) chol[i * D + i] = i < Z ? 1 : tau[i - Z]!;
  return { mean: new Float64Array(D), chol, iterations: 0, converged: true };
}

/** Heads of every member at its own stencil of contexts: [E][K, S, O] as one flat download. */
function stencilHeads(model: MetaModel, rows: LevelRows, centres: readonly Float64Array[]): { heads: Float32Array; S: number; O: number } {
  const Z = model.shape.context;
  const S = 1 + 2 * Z;
  const P = model.shape.perPlaytest;
  const out = tf.tidy(() => {
    const x = tf.tensor2d(rows.x, [rows.rows, P]);
    return tf.stack(
      model.members().map((net, e) => {
        const z = new Float32Array(S * Z);
        for (let s = 0; s < S; s++) z.set(centres[e]!.subarray(0, Z), s * Z);
        for (let i = 0; i < Z; i++) {
          z[(1 + 2 * i) * Z + i]! += H;
          z[(2 + 2 * i) * Z + i]! -= H;
        }
        return gridHeads(net, levelBias(net, rows.feat), x, tf.tensor2d(z, [S, Z]));
      }),
    );
  });
  const heads = out.dataSync() as Float32Array;
  const O = out.shape[3]!;
  out.dispose();
  return { heads, S, O };
}

/** Log posterior, its gradient and the prior + Fisher information at one member's θ. */
function localQuadratic(model: MetaModel, rows: LevelRows, theta: Float64Array, heads: Float32Array, base: number, S: number, O: number) {
  const Z = model.shape.context;
  const M = model.spec.metrics.length;
  const free = residualMetrics(model);
  const D = Z + free.length;
  const shift = headShift(model, theta);
  const grad = new Float64Array(D);
  const info = new Float64Array(D * D);
  const g = new Float64Array(O);
  const w = new Float64Array(O);
  const jac = new Float64Array(O * D);
  for (const [f, k] of free.entries()) for (const o of residualColumns(model, k)) jac[o * D + Z + f] = 1;
  const centre = new Float32Array(O);
  let logPost = 0;
  for (let i = 0; i < D; i++) {
    const t = theta[i]!;
    if (i < Z) {
      logPost -= 0.5 * t * t;
      grad[i] = -t;
      info[i * D + i] = 1;
      continue;
    }
    // Student-t: its IRLS weight (ν + 1)/(ντ² + δ²) stands for the curvature (always positive)
    const nt2 = RESIDUAL_NU * model.residualSd[free[i - Z]!]! ** 2;
    logPost -= 0.5 * (RESIDUAL_NU + 1) * Math.log1p((t * t) / nt2);
    grad[i] = (-(RESIDUAL_NU + 1) * t) / (nt2 + t * t);
    info[i * D + i] = (RESIDUAL_NU + 1) / (nt2 + t * t);
  }
  for (let r = 0; r < rows.rows; r++) {
    const row = base + r * S * O;
    for (let o = 0; o < O; o++) centre[o] = heads[row + o]! + shift[o]!;
    logPost += rowLikelihood(model.outputs, centre, 0, rows.y, rows.obs, r * M, g, w);
    for (let i = 0; i < Z; i++) {
      for (let o = 0; o < O; o++) jac[o * D + i] = (heads[row + (1 + 2 * i) * O + o]! - heads[row + (2 + 2 * i) * O + o]!) / (2 * H);
    }
    for (let o = 0; o < O; o++) {
      if (g[o] === 0 && w[o] === 0) continue;
      for (let i = 0; i < D; i++) {
        const ji = jac[o * D + i]!;
        if (ji === 0) continue;
        grad[i]! += ji * g[o]!;
        for (let j = 0; j <= i; j++) info[i * D + j]! += ji * w[o]! * jac[o * D + j]!;
      }
    }
  }
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) info[j * D + i] = info[i * D + j]!;
  return { logPost, grad, info };
}

/** Laplace approximations of every member's context posterior given a level's playtests. */
export function contextPosteriors(model: MetaModel, rows: LevelRows): ContextPosterior[] {
  const Z = model.shape.context;
  const E = model.ensemble;
  const D = Z + residualMetrics(model).length;
  if (rows.rows === 0 || D === 0) return Array.from({ length: E }, () => priorPosterior(model));
  const z = Array.from({ length: E }, () => new Float64Array(D));
  const prev = Array.from({ length: E }, () => new Float64Array(D));
  const best = new Float64Array(E).fill(-Infinity);
  const done = new Array<boolean>(E).fill(false);
  const steps = new Array<number>(E).fill(0);
  const infoAt = new Array<Float64Array>(E);
  for (let it = 0; it < MAX_STEPS && done.some((d) => !d); it++) {
    const { heads, S, O } = stencilHeads(model, rows, z);
    for (let e = 0; e < E; e++) {
      if (done[e]) continue;
      const q = localQuadratic(model, rows, z[e]!, heads, e * rows.rows * S * O, S, O);
      if (q.logPost < best[e]! - 1e-9) {
        // the step overshot: back off halfway and look again
        for (let i = 0; i < D; i++) z[e]![i] = 0.5 * (z[e]![i]! + prev[e]![i]!);
        continue;
      }
      best[e] = q.logPost;
      infoAt[e] = q.info;
      const { l } = cholesky(q.info, D);
      const delta = cholSolve(l, D, q.grad);
      const norm = Math.hypot(...delta);
      const scale = norm > MAX_STEP ? MAX_STEP / norm : 1;
      steps[e]! += 1;
      if (norm < TOLERANCE) {
        done[e] = true;
        continue;
      }
      prev[e]!.set(z[e]!);
      for (let i = 0; i < D; i++) z[e]![i]! += scale * delta[i]!;
    }
  }
  return z.map((mean, e) => {
    // the covariance where the information was last measured (the last accepted centre)
    const centre = done[e] ? mean : prev[e]!;
    const cov = cholInverse(cholesky(infoAt[e]!, D).l, D);
    return { mean: Float64Array.from(centre), chol: cholesky(cov, D).l, iterations: steps[e]!, converged: done[e]! };
  });
}
