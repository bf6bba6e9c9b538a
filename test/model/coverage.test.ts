// The context posterior is right about what it does not know: levels simulated from the trained
// model itself (member 0, a known context z, no residual) are inferred back from K of their
// playtests, and the 90 % intervals of the Laplace posterior must cover the true z about 90 % of the
// time at every K, while what the playtests tell about z grows in proportion to their number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { pastCorpus } from '../../samples/crypt-run/corpus.js';
import { botPlaytests } from '../../samples/crypt-run/game.js';
import { initBackend, trainModel } from '../../src/model/index.js';
import { levelRows, sliceRows, type LevelRows } from '../../src/model/data.js';
import { softLogSd } from '../../src/model/heads.js';
import { gridHeads, levelBias } from '../../src/model/inference.js';
import type { MetaModel } from '../../src/model/model.js';
import { contextPosteriors } from '../../src/model/posterior.js';
import type { ParamValues } from '../../src/project/types.js';
import { Rng } from '../../src/util/rng.js';
import { smallCorpus } from './fixtures.js';

await initBackend();

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/** The rows' playtest outcomes drawn from member 0 at context z (encoded, in the layout's order). */
function simulate(model: MetaModel, rows: LevelRows, z: Float32Array, rng: Rng): LevelRows {
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const net = model.members()[0]!;
  const heads = tf.tidy(() => gridHeads(net, levelBias(net, rows.feat), tf.tensor2d(rows.x, [rows.rows, P]), tf.tensor2d(z, [1, z.length])));
  const h = heads.dataSync() as Float32Array;
  const O = heads.shape[2];
  heads.dispose();
  const cols = model.outputs.metrics;
  const y = new Float32Array(rows.rows * M);
  const outcome = model.outputs.outcomePos;
  for (let r = 0; r < rows.rows; r++) {
    const at = r * O;
    const won = outcome >= 0 ? Number(rng.next() < sigmoid(h[at + (cols[outcome] as { logit: number }).logit]!)) : 0;
    cols.forEach((c, k) => {
      const normal = (g: { mu: number; logSd: number }): number => h[at + g.mu]! + Math.exp(softLogSd(h[at + g.logSd]!)) * rng.normal();
      y[r * M + k] =
        k === outcome ? won : c.kind === 'rate' ? Number(rng.next() < sigmoid(h[at + c.logit]!)) : c.kind === 'gaussian' ? normal(c.g) : normal(won ? c.won : c.lost);
    });
  }
  return { ...rows, y, obs: new Float32Array(rows.rows * M).fill(1) };
}

test('90 % intervals of the context posterior cover the true context 85–95 % of the time at K = 2, 10, 50, their information growing like K', async () => {
  const c = smallCorpus(4, 60, 15);
  const model = await trainModel(pastCorpus(c), { seed: 2, steps: 600, config: { ensemble: 1 } });
  try {
    const Z = model.shape.context;
    const rng = new Rng(11);
    const level = c.levels.find((l) => l.id === c.newLevelIds[0])!;
    const defaults = Object.fromEntries(c.project.params.map((p) => [p.name, p.default])) as ParamValues;
    const settings = Array.from({ length: 50 }, (_, i) => ({ ...defaults, enemyHealth: 40 + 5 * (i % 20), potionRate: 0.05 * (i % 7) }) as ParamValues);
    const inputs = levelRows(model, level, botPlaytests(c.truth.get(level.id)!, level.id, settings, rng.fork('settings')));
    const ks = [2, 10, 50];
    const covered = new Map(ks.map((k) => [k, 0]));
    const sds = new Map(ks.map((k) => [k, new Float64Array(Z)]));
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const z = Float32Array.from({ length: Z }, () => rng.normal());
      const rows = simulate(model, inputs, z, rng.fork(`outcomes-${t}`));
      for (const k of ks) {
        const [post] = contextPosteriors(model, sliceRows(rows, 0, k, model.shape.perPlaytest, model.spec.metrics.length));
        const D = post!.mean.length;
        for (let i = 0; i < Z; i++) {
          let variance = 0;
          for (let j = 0; j <= i; j++) variance += post!.chol[i * D + j]! ** 2;
          const sd = Math.sqrt(variance);
          if (Math.abs(post!.mean[i]! - z[i]!) <= 1.645 * sd) covered.set(k, covered.get(k)! + 1);
          sds.get(k)![i]! += sd / trials;
        }
      }
    }
    const report = ks.map((k) => `K = ${k}: ${((100 * covered.get(k)!) / (trials * Z)).toFixed(1)} % covered, sd per axis ${Array.from(sds.get(k)!, (v) => v.toFixed(3)).join(' ')}`).join('; ');
    for (const k of ks) {
      const share = covered.get(k)! / (trials * Z);
      assert.ok(share >= 0.85 && share <= 0.95, report);
    }
    // What the playtests add to the prior's precision (1/sd² − 1) grows in proportion to K, so the
    // sd falls like 1/√K once the data dominate: 5× the playtests, about 5× the information, on the
    // axis they inform most (less where z and the per-metric residual explain the same shift).
    const best = Array.from(sds.get(50)!).indexOf(Math.min(...sds.get(50)!));
    const information = (k: number): number => 1 / sds.get(k)![best]! ** 2 - 1;
    const ratio = information(50) / information(10);
    assert.ok(ratio > 2.5 && ratio < 7.5, `information(K = 50) / information(K = 10) = ${ratio.toFixed(2)} on axis ${best}; ${report}`);
  } finally {
    model.dispose();
  }
});
