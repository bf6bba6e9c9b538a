// Adapting the meta-model to one level from its playtests (K = 0 … 100):
//  - 'context' (metabalance): each member's context posterior (posterior.ts), draws z from it;
//    a model without a context (reptile-plain) instead fine-tunes all weights on the playtests with
//    exactly its training inner loop (the literature's Reptile adaptation);
//  - 'none': no adaptation, z at the prior mean (what training's warnings compare against; on a
//    model trained with no context, the benchmark's pooled baseline).
// The benchmark's statistician's baseline (per-level offsets) lives with the tests' support code.
import * as tf from '@tensorflow/tfjs-core';
import type { Level, Playtest } from '../project/types.js';
import { adamDispose, adamInit, adamStep } from './adam.js';
import { levelRows, type LevelRows } from './data.js';
import type { MetaModel } from './model.js';
import { memberNets } from './network.js';
import { batchArrays, copyLoss, disposeBatch, uploadBatch } from './elbo.js';
import { affine } from './dense.js';
import { contextPosteriors, headShift, residualMetrics, type ContextPosterior } from './posterior.js';
import { baseNormals } from './normals.js';
import { Predictor, type LevelPredictor, type MemberContexts } from './predictor.js';

export type AdaptMethod = 'context' | 'none';

/** Posterior draws per ensemble member. */
export const DRAWS_PER_MEMBER = 4;

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
  if (method === 'context' && Z === 0) return fineTuned(model, rows);
  if (method === 'context') return posteriorPredictor(model, rows, contextPosteriors(model, rows));
  const zeros = new Float32Array(Z * 2);
  const nets = model.members();
  return new Predictor(model, rows.id, rows.rows, rows.feat, nets, false, nets.map(() => ({ z: zeros, headShift: null })));
}

/** The predictor at each member's context posterior (its mean first, then draws from it), for callers that also need the posteriors. */
export function posteriorPredictor(model: MetaModel, rows: LevelRows, posteriors: readonly ContextPosterior[]): Predictor {
  const Z = model.shape.context;
  const D = Z + residualMetrics(model).length;
  const u = baseNormals(DRAWS_PER_MEMBER, D, 'draws');
  const contexts: MemberContexts[] = posteriors.map((g) => {
    const thetas = [g.mean, ...Array.from({ length: DRAWS_PER_MEMBER }, (_, s) => affine(g.mean, g.chol, D, u, s * D))];
    const z = new Float32Array((1 + DRAWS_PER_MEMBER) * Z);
    thetas.forEach((t, s) => z.set(t.subarray(0, Z), s * Z));
    return { z, headShift: D > Z ? thetas.map((t) => headShift(model, t)) : null };
  });
  if (contexts.length !== model.ensemble) throw new Error('internal: one context set per member');
  return new Predictor(model, rows.id, rows.rows, rows.feat, model.members(), false, contexts);
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
