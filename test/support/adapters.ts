// The ways the benchmark and the tests adapt a trained network to a level: metabalance's context
// posterior, none at all (the prior context), and the statistician's baseline, per-level offsets.
// The offsets are not part of the product: they exist to be compared against.
import * as tf from '@tensorflow/tfjs-core';
import { adaptLevel, type MetaModel } from '../../src/model/index.js';
import { DRAWS_PER_MEMBER } from '../../src/model/adapt.js';
import { levelRows, type LevelRows } from '../../src/model/data.js';
import { sigmoid, softLogSd } from '../../src/model/heads.js';
import { gridHeads, levelBias } from '../../src/model/inference.js';
import { baseNormals } from '../../src/model/normals.js';
import { residualColumns } from '../../src/model/posterior.js';
import { Predictor, type MemberContexts } from '../../src/model/predictor.js';
import type { Adapter } from '../../src/balance/service.js';

export const adapters = {
  context: (model, level, playtests) => adaptLevel(model, level, playtests),
  none: (model, level, playtests) => adaptLevel(model, level, playtests, { method: 'none' }),
  offsets: (model, level, playtests) => {
    const rows = levelRows(model, level, playtests);
    return new Predictor(model, rows.id, rows.rows, rows.feat, model.members(), false, offsetContexts(model, rows));
  },
} satisfies Record<string, Adapter>;

export type Adaptation = keyof typeof adapters;

/** Prior sd of the offsets: in logits for rates, in standardised link units otherwise. */
const OFFSET_PRIOR_SD = { rate: 1, gaussian: 0.5 };

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

