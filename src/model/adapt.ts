// Adapting the meta-model to one level from its playtests (K = 0 … 100):
//  - 'context' (metabalance): each member's context posterior (posterior.ts), draws z from it;
//    a model without a context (reptile-plain) instead fine-tunes all weights on the playtests with
//    exactly its training inner loop (the literature's Reptile adaptation);
//  - 'none': no adaptation, z at the prior mean (on a model trained with no context, the
//    benchmark's pooled baseline);
//  - 'offsets' (the statistician's baseline on such a pooled model): per-metric offsets in link
//    space, each the posterior mean of a Gaussian-prior offset given the K playtests.
import * as tf from '@tensorflow/tfjs-core';
import type { Level, Playtest } from '../project/types.js';
import { adamDispose, adamInit, adamStep } from './adam.js';
import { levelRows, type LevelRows } from './data.js';
import { gridHeads, levelBias } from './inference.js';
import { sigmoid, softLogSd } from './heads.js';
import type { MetaModel } from './model.js';
import { memberNets } from './network.js';
import { batchArrays, copyLoss, disposeBatch, uploadBatch } from './elbo.js';
import { affine } from './dense.js';
import { contextPosteriors, headShift, residualColumns, residualMetrics } from './posterior.js';
import { baseNormals } from './normals.js';
import { Predictor, type LevelPredictor, type MemberContexts } from './predictor.js';

export type AdaptMethod = 'context' | 'offsets' | 'none';

/** Posterior draws per ensemble member. */
export const DRAWS_PER_MEMBER = 4;
/** Prior sd of the offsets baseline: in logits for rates, in standardised link units otherwise. */
const OFFSET_PRIOR_SD = { rate: 1, gaussian: 0.5 };

export function adaptLevel(
  model: MetaModel,
  level: Level,
  playtests: readonly Playtest[],
  opts: { method?: AdaptMethod } = {},
): LevelPredictor {
  return adaptRows(model, levelRows(model, level, playtests), opts.method ?? 'context');
}

export function adaptRows(model: MetaModel, rows: LevelRows, method: AdaptMethod): Predictor {
  const Z = model.shape.context;
  const E = model.ensemble;
  if (method === 'context' && Z === 0) return fineTuned(model, rows);
  const nets = model.members();
  const zeros = new Float32Array(Z * 2);
  let contexts: MemberContexts[];
  if (method === 'context') {
    const D = Z + residualMetrics(model).length;
    const u = baseNormals(DRAWS_PER_MEMBER, D, 'draws');
    contexts = contextPosteriors(model, rows).map((g) => {
      const thetas = [g.mean, ...Array.from({ length: DRAWS_PER_MEMBER }, (_, s) => affine(g.mean, g.chol, D, u, s * D))];
      const z = new Float32Array((1 + DRAWS_PER_MEMBER) * Z);
      thetas.forEach((t, s) => z.set(t.subarray(0, Z), s * Z));
      return { z, headShift: D > Z ? thetas.map((t) => headShift(model, t)) : null };
    });
  } else if (method === 'none') {
    contexts = nets.map(() => ({ z: zeros, headShift: null }));
  } else {
    contexts = offsetContexts(model, rows);
  }
  if (contexts.length !== E) throw new Error('internal: one context set per member');
  return new Predictor(model, rows.id, rows.rows, rows.feat, nets, false, contexts);
}

/**
 * The offsets baseline: per member and metric, a shift δ of the link-space mean (both outcome
 * branches) with prior N(0, τ²), its posterior from one Newton step at δ = 0 (exact for the
 * Gaussian metrics); draws shift by the posterior sd times fixed normals.
 */
function offsetContexts(model: MetaModel, rows: LevelRows): MemberContexts[] {
  const outputs = model.outputs;
  const O = outputs.width;
  const M = model.spec.metrics.length;
  const Z = model.shape.context;
  const P = model.shape.perPlaytest;
  const u = baseNormals(DRAWS_PER_MEMBER, M, 'offsets');
  const columns = Array.from({ length: M }, (_, k) => residualColumns(model, k));
  return model.members().map((net) => {
    const num = new Float64Array(M);
    const den = new Float64Array(M);
    outputs.metrics.forEach((c, k) => (den[k] = 1 / (c.kind === 'rate' ? OFFSET_PRIOR_SD.rate : OFFSET_PRIOR_SD.gaussian) ** 2));
    if (rows.rows > 0) {
      const t = tf.tidy(() => {
        const bias = levelBias(net, rows.feat);
        const z = Z > 0 ? tf.zeros([1, Z]) : null;
        return gridHeads(net, bias, tf.tensor2d(rows.x, [rows.rows, P]), z as tf.Tensor2D | null);
      });
      const h = t.dataSync() as Float32Array;
      t.dispose();
      const sd = (raw: number): number => Math.exp(softLogSd(raw));
      const won = outputs.outcomePos;
      for (let r = 0; r < rows.rows; r++) {
        const o = r * O;
        const y = (k: number): number => rows.y[r * M + k]!;
        const seen = (k: number): boolean => rows.obs[r * M + k]! > 0;
        outputs.metrics.forEach((c, k) => {
          if (!seen(k)) return;
          if (c.kind === 'rate') {
            const p = sigmoid(h[o + c.logit]!);
            num[k]! += y(k) - p;
            den[k]! += p * (1 - p);
            return;
          }
          if (c.kind === 'conditioned' && (won < 0 || !seen(won))) return;
          const g = c.kind === 'gaussian' ? c.g : y(won) >= 0.5 ? c.won : c.lost;
          const s2 = sd(h[o + g.logSd]!) ** 2;
          num[k]! += (y(k) - h[o + g.mu]!) / s2;
          den[k]! += 1 / s2;
        });
      }
    }
    const shift = (draw: number): Float32Array => {
      const d = new Float32Array(O);
      for (let k = 0; k < M; k++) {
        const delta = num[k]! / den[k]! + (draw < 0 ? 0 : u[draw * M + k]! / Math.sqrt(den[k]!));
        for (const o of columns[k]!) d[o] = delta;
      }
      return d;
    };
    return {
      z: new Float32Array((1 + DRAWS_PER_MEMBER) * Z),
      headShift: Array.from({ length: 1 + DRAWS_PER_MEMBER }, (_, i) => shift(i - 1)),
    };
  });
}

/** reptile-plain adaptation: the training inner loop (innerSteps of Adam, β1 = 0) on all weights. */
function fineTuned(model: MetaModel, rows: LevelRows): Predictor {
  const cfg = model.config;
  const E = model.ensemble;
  let w: tf.Tensor[] = model.weights.map((v) => tf.clone(v));
  if (rows.rows > 0) {
    const levels = [rows];
    const arrays = batchArrays(levels, Array.from({ length: E }, () => [0]), model.shape.perPlaytest, model.spec.metrics.length, (c) => c, E);
    const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
    const adam = adamInit(w);
    const lr = w.map(() => cfg.innerLr);
    for (let i = 0; i < cfg.innerSteps; i++) {
      const grads = tf.tidy(() =>
        tf.grads((...ps: tf.Tensor[]) => tf.sum(copyLoss(model.outputs, ps, null, null, batch, null, cfg.weightDecay)))(w),
      );
      const next = adamStep(w, grads, adam, lr, 0);
      tf.dispose([...grads, ...w]);
      w = next;
    }
    adamDispose(adam);
    disposeBatch(batch);
  }
  const nets = memberNets(w, model.shape);
  tf.dispose(w);
  const contexts = nets.map(() => ({ z: new Float32Array(0), headShift: null }));
  return new Predictor(model, rows.id, rows.rows, rows.feat, nets, true, contexts);
}
