// The batched objective's gradients, the KL term, and the batched Reptile and FOMAML steps, each
// against an independent reference computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/model/backend.js';
import { corpusRows, type LevelRows } from '../../src/model/data.js';
import { klToPrior } from '../../src/model/likelihood.js';
import { batchArrays, copyLoss, disposeBatch, uploadBatch } from '../../src/model/elbo.js';
import { defaultConfig, newTraining } from '../../src/model/train.js';
import { adamDispose, adamInit, BETA2 } from '../../src/model/adam.js';
import { splitEpisode } from '../../src/model/episodes.js';
import type { Training } from '../../src/model/training.js';
import { fomamlGradient, fomamlStep, jointStep, pickLevels, reptileInner, reptileOuter } from '../../src/model/trainers.js';
import { Rng } from '../../src/util/rng.js';
import { smallCorpus } from './fixtures.js';

await initBackend();

function fixture(algorithm: 'joint' | 'reptile' | 'fomaml', over: object) {
  const c = smallCorpus(7, 8, 6);
  // some playtests report only some metrics: exercises the outcome mixture and the masks
  c.playtests.forEach((p, i) => {
    if (i % 5 === 1) delete p.metrics['won'];
    if (i % 7 === 2) delete p.metrics['durationSec'];
  });
  const cfg = { ...defaultConfig(algorithm, 1), hidden: 8, ensemble: 2, ...over };
  const model = newTraining(c, cfg, c.levels.map((l) => l.id), [], 'test');
  const levels = corpusRows(model, c.levels, c.playtests);
  return { model, levels };
}

test('batched gradients of the per-level ELBO match finite differences', () => {
  const { model, levels } = fixture('joint', {});
  const L = model.levelIds.length;
  const Z = model.shape.context;
  // randomise q(z) so the context matters
  const rng = new Rng(2);
  const muInit = Float32Array.from({ length: model.qMu!.size }, () => rng.normal() * 0.5);
  model.qMu!.assign(tf.tensor2d(muInit, model.qMu!.shape as [number, number]));
  const assign = [
    [0, 1],
    [2, 3],
  ];
  const arrays = batchArrays(levels, assign, model.shape.perPlaytest, model.spec.metrics.length, (c, k) => c * L + assign[c]![k]!, 2 * L);
  const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  const eps = tf.tensor2d(Float32Array.from({ length: 4 * Z }, () => rng.normal()), [4, Z]);
  const params: tf.Tensor[] = [...model.weights, model.qMu!, model.qLogSig!];
  const f = (ps: tf.Tensor[]): tf.Scalar => tf.sum(copyLoss(model.outputs, ps.slice(0, -2), ps.at(-2)!, ps.at(-1)!, batch, eps, 1e-3));
  const grads = tf.grads((...ps: tf.Tensor[]) => f(ps))(params);
  let checked = 0;
  params.forEach((p, k) => {
    const base = (p.dataSync() as Float32Array).slice();
    const g = grads[k]!.dataSync();
    for (let trial = 0; trial < 6; trial++) {
      let i = rng.int(0, base.length);
      if (p === model.qMu || p === model.qLogSig) i = (assign[trial % 2]![0]! + (trial % 2) * L) * Z + (trial % Z); // a row the batch uses
      const h = 1e-2;
      const at = (v: number): number => {
        const a = base.slice();
        a[i] = v;
        const t = tf.tensor(a, p.shape);
        const ps = params.map((q) => (q === p ? t : q));
        const out = tf.tidy(() => f(ps).dataSync()[0]!);
        t.dispose();
        return out;
      };
      const fd = (at(base[i]! + h) - at(base[i]! - h)) / (2 * h);
      assert.ok(Math.abs(fd - g[i]!) <= 3e-3 + 0.05 * Math.abs(fd), `param ${k}[${i}]: analytic ${g[i]} vs finite-difference ${fd}`);
      checked++;
    }
  });
  assert.ok(checked >= 36);
  tf.dispose([...grads, eps]);
  disposeBatch(batch);
  model.dispose();
});

test('the KL term equals the closed form and a Monte-Carlo estimate', () => {
  const rng = new Rng(4);
  const mu = Array.from({ length: 3 * 4 }, () => rng.normal());
  const ls = Array.from({ length: 3 * 4 }, () => rng.normal() * 0.5 - 0.5);
  const got = tf.tidy(() => klToPrior(tf.tensor2d(mu, [3, 4]), tf.tensor2d(ls, [3, 4])).dataSync());
  for (let r = 0; r < 3; r++) {
    let closed = 0;
    for (let i = 0; i < 4; i++) {
      const m = mu[r * 4 + i]!;
      const s = Math.exp(ls[r * 4 + i]!);
      closed += Math.log(1 / s) + (s * s + m * m) / 2 - 0.5;
    }
    assert.ok(Math.abs(got[r]! - closed) < 1e-4 * (1 + closed), `row ${r}: ${got[r]} vs ${closed}`);
    // E_q[log q(z) − log p(z)] by sampling
    const n = 40000;
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < n; k++) {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const e = rng.normal();
        const z = mu[r * 4 + i]! + Math.exp(ls[r * 4 + i]!) * e;
        v += -ls[r * 4 + i]! - 0.5 * e * e + 0.5 * z * z;
      }
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    const se = Math.sqrt((sq / n - mean * mean) / n);
    assert.ok(Math.abs(mean - got[r]!) < 4 * se, `row ${r}: Monte-Carlo ${mean} ± ${se} vs ${got[r]}`);
  }
});

/**
 * Reptile's inner loop for ONE task written out from the paper's update rule (Nichol et al. 2018,
 * "On First-Order Meta-Learning Algorithms", Alg. 1: W̃ = U^k_τ(θ), k steps of Adam with β1 = 0 on
 * task τ's loss, starting from θ): first the task's q(z) alone for `contextSteps` (fresh Adam state,
 * contextLr), then weights (innerLr) and q(z) (contextLr) together for `innerSteps` (fresh state). The
 * loss is the task's own negative ELBO, the noise the task's own stream rng.fork("member:level")
 * (the documented seeding: a task's random numbers depend only on (member, level)). Adam by hand.
 */
function adaptOneTask(model: Training, levels: readonly LevelRows[], member: number, level: number, rng: Rng): { w: Float32Array[]; q: Float32Array[] } {
  const cfg = model.config;
  const E = model.ensemble;
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const w = model.weights.map((v) => {
    const all = v.dataSync() as Float32Array;
    const per = all.length / E;
    return all.slice(member * per, (member + 1) * per);
  });
  const row = member * L + level;
  const q = [model.qMu!, model.qLogSig!].map((v) => (v.dataSync() as Float32Array).slice(row * Z, (row + 1) * Z));
  const wShape = model.weights.map((v) => [1, ...v.shape.slice(1)]);
  const arrays = batchArrays(levels, [[level]], model.shape.perPlaytest, model.spec.metrics.length, () => 0, 1);
  const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  const noise = rng.fork(`${member}:${level}`);
  const phase = (steps: number, withWeights: boolean): void => {
    const params = withWeights ? [...w, ...q] : q;
    const lr = params.map((_, k) => (withWeights && k < w.length ? cfg.innerLr : cfg.contextLr));
    const m = params.map((p) => new Float64Array(p.length));
    const v = params.map((p) => new Float64Array(p.length));
    for (let t = 1; t <= steps; t++) {
      const eps = tf.tensor2d(Float32Array.from({ length: Z }, () => noise.normal()), [1, Z]);
      const grads = tf.tidy(() => {
        const ws = w.map((a, k) => tf.tensor(a, wShape[k]!));
        const [mu, ls] = q.map((a) => tf.tensor2d(a, [1, Z]));
        const loss = (...ps: tf.Tensor[]): tf.Scalar => {
          const ww = withWeights ? ps.slice(0, ws.length) : ws;
          const [qm, ql] = withWeights ? ps.slice(ws.length) : ps;
          return tf.sum(copyLoss(model.outputs, ww, qm!, ql!, batch, eps, cfg.weightDecay));
        };
        return tf.grads(loss)(withWeights ? [...ws, mu!, ls!] : [mu!, ls!]).map((g) => g.dataSync() as Float32Array);
      });
      eps.dispose();
      const c2 = 1 - Math.pow(BETA2, t); // β1 = 0: no momentum, so no first-moment bias correction
      params.forEach((p, k) => {
        for (let i = 0; i < p.length; i++) {
          const g = grads[k]![i]!;
          m[k]![i] = g;
          v[k]![i] = BETA2 * v[k]![i]! + (1 - BETA2) * g * g;
          p[i] = p[i]! - (lr[k]! * m[k]![i]!) / (Math.sqrt(v[k]![i]! / c2) + 1e-8);
        }
      });
    }
  };
  phase(cfg.contextSteps, false);
  phase(cfg.innerSteps, true);
  disposeBatch(batch);
  return { w, q };
}

test('one batched Reptile step equals the per-task loop of the paper\'s update rule', () => {
  const { model, levels } = fixture('reptile', { contextSteps: 2, innerSteps: 3, batchLevels: 3 });
  const assign = [
    [0, 3, 5],
    [1, 2, 6],
  ];
  const E = model.ensemble;
  const T = 3;
  const Z = model.shape.context;
  const rng = new Rng(9).fork('inner');
  const ref = assign.map((tasks, e) => tasks.map((level) => adaptOneTask(model, levels, e, level, rng)));
  const theta = model.readWeights();
  const batched = reptileInner(model, levels, assign, rng);
  const tilde = batched.tilde.map((t) => t.dataSync() as Float32Array);
  const qBatched = [batched.qMu!, batched.qLogSig!].map((t) => t.dataSync() as Float32Array);
  let moved = 0;
  for (let e = 0; e < E; e++) {
    for (let t = 0; t < T; t++) {
      const c = e * T + t;
      const { w, q } = ref[e]![t]!;
      w.forEach((a, k) => {
        for (let i = 0; i < a.length; i++) {
          const got = tilde[k]![c * a.length + i]!;
          assert.ok(Math.abs(got - a[i]!) < 2e-5, `task (${e}, ${assign[e]![t]}) layer tensor ${k}[${i}]: batched ${got} vs per-task ${a[i]}`);
          moved = Math.max(moved, Math.abs(a[i]! - theta[k]![e * a.length + i]!));
        }
      });
      q.forEach((a, k) => {
        for (let i = 0; i < Z; i++) assert.ok(Math.abs(qBatched[k]![c * Z + i]! - a[i]!) < 2e-5, `task (${e}, ${assign[e]![t]}) q(z) ${k}[${i}]`);
      });
    }
  }
  assert.ok(moved > 1e-3, `the inner loop moved the weights (max ${moved})`);
  // outer step: θ + ε·mean_t(θ̃ − θ)
  const epsilon = 0.7;
  reptileOuter(model, batched, assign, epsilon);
  const after = model.readWeights();
  after.forEach((a, k) => {
    const per = a.length / E;
    for (let e = 0; e < E; e++) {
      for (let i = 0; i < per; i++) {
        const th = theta[k]![e * per + i]!;
        const mean = ref[e]!.reduce((sum, task) => sum + task.w[k]![i]!, 0) / T;
        assert.ok(Math.abs(a[e * per + i]! - (th + epsilon * (mean - th))) < 2e-5, `outer step, layer tensor ${k}[${e * per + i}]`);
      }
    }
  });
  model.dispose();
});

test('a joint step moves the q(z) of the levels in its batch and of no other level', () => {
  const { model, levels } = fixture('joint', { batchLevels: 2 });
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const train = levels.map((_, i) => i);
  const adam = adamInit(model.trainables());
  const rowsOf = (): Float32Array => (model.qMu!.dataSync() as Float32Array).slice();
  // the first steps give every row momentum; the last one must still leave unseen rows alone
  for (let s = 0; s < 3; s++) jointStep(model, levels, train, adam, new Rng(s), { lr: 1e-2, contextLr: 3e-2 });
  const before = rowsOf();
  const rng = new Rng(99);
  const seen = new Set(Array.from({ length: model.ensemble }, (_, e) => pickLevels(rng.fork('m' + e), train, 2).map((l) => e * L + l)).flat());
  jointStep(model, levels, train, adam, new Rng(99), { lr: 1e-2, contextLr: 3e-2 });
  const after = rowsOf();
  for (let r = 0; r < model.ensemble * L; r++) {
    const moved = Array.from({ length: Z }, (_, i) => after[r * Z + i] !== before[r * Z + i]).some(Boolean);
    assert.equal(moved, seen.has(r), `q(z) row ${r} ${moved ? 'moved' : 'did not move'} though it was ${seen.has(r) ? '' : 'not '}in the batch`);
  }
  adamDispose(adam);
  model.dispose();
});

/**
 * ∇θ of one task's negative ELBO on `rows` at weights `w` (member-sized arrays) and q(z) `q`, with
 * the context noise `eps`: the single-task loss the batched meta-gradient should be made of.
 */
function taskGradient(model: Training, w: readonly Float32Array[], q: readonly Float32Array[], rows: LevelRows, eps: Float32Array): Float32Array[] {
  const Z = model.shape.context;
  const arrays = batchArrays([rows], [[0]], model.shape.perPlaytest, model.spec.metrics.length, () => 0, 1);
  const batch = uploadBatch(arrays, model.shape.perPlaytest + model.shape.features, model.spec.metrics.length);
  const grads = tf.tidy(() => {
    const ws = w.map((a, k) => tf.tensor(a, [1, ...model.weights[k]!.shape.slice(1)]));
    const [mu, ls] = q.map((a) => tf.tensor2d(a, [1, Z]));
    const e = tf.tensor2d(eps, [1, Z]);
    return tf.grads((...ps: tf.Tensor[]) => tf.sum(copyLoss(model.outputs, ps, mu!, ls!, batch, e, model.config.weightDecay)))(ws).map((g) => g.dataSync() as Float32Array);
  });
  disposeBatch(batch);
  return grads;
}

const maxAbsDiff = (a: readonly Float32Array[], b: readonly Float32Array[]): number => Math.max(...a.map((x, k) => Math.max(...x.map((v, i) => Math.abs(v - b[k]![i]!)))));

test('the FOMAML meta-gradient is the mean over tasks of the query loss gradient at the support-adapted weights', () => {
  const { model, levels } = fixture('fomaml', { contextSteps: 2, innerSteps: 3, batchLevels: 2 });
  const assign = [
    [0, 3],
    [1, 5],
  ];
  const E = model.ensemble;
  const T = 2;
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const P = model.shape.perPlaytest;
  const M = model.spec.metrics.length;
  const rng = new Rng(11);
  const meta = fomamlGradient(model, levels, assign, rng);
  const got = meta.grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...meta.grads, ...meta.inner.tilde, meta.inner.qMu!, meta.inner.qLogSig!]);
  const theta = model.readWeights();
  const qAll = [model.qMu!, model.qLogSig!].map((v) => v.dataSync() as Float32Array);
  const perMember = (arrays: Float32Array[], e: number): Float32Array[] => arrays.map((a) => a.slice((e * a.length) / E, ((e + 1) * a.length) / E));
  // the reference, and what a wrong meta-gradient would be: the support loss at the adapted
  // weights (Reptile's direction), or the query loss at the initial weights (no inner loop)
  const sums = { query: theta.map((a) => new Float32Array(a.length)), support: theta.map((a) => new Float32Array(a.length)), initial: theta.map((a) => new Float32Array(a.length)) };
  for (let e = 0; e < E; e++) {
    for (const level of assign[e]!) {
      const episode = splitEpisode(levels[level]!, rng.fork('split').fork(`${e}:${level}`), P, M);
      assert.ok(episode.support.rows > 0 && episode.query.rows > 0 && episode.support.rows + episode.query.rows === levels[level]!.rows);
      const adapted = adaptOneTask(model, levels.map((l, i) => (i === level ? episode.support : l)), e, level, rng.fork('inner'));
      const noise = rng.fork('query').fork(`${e}:${level}`);
      const eps = Float32Array.from({ length: Z }, () => noise.normal());
      const q0 = qAll.map((a) => a.slice((e * L + level) * Z, (e * L + level + 1) * Z));
      const add = (into: Float32Array[], g: Float32Array[]): void => into.forEach((a, k) => g[k]!.forEach((v, i) => (a[e * g[k]!.length + i]! += v / T)));
      add(sums.query, taskGradient(model, adapted.w, adapted.q, episode.query, eps));
      add(sums.support, taskGradient(model, adapted.w, adapted.q, episode.support, eps));
      add(sums.initial, taskGradient(model, perMember(theta, e), q0, episode.query, eps));
    }
  }
  const scale = Math.max(...sums.query.map((a) => Math.max(...a.map(Math.abs))));
  const tol = 1e-3 * scale;
  const err = maxAbsDiff(got, sums.query);
  assert.ok(err < tol, `batched meta-gradient vs per-task query gradients: max difference ${err} (tolerance ${tol})`);
  // the check can tell the right gradient from the wrong ones
  assert.ok(maxAbsDiff(sums.support, sums.query) > 50 * tol, 'the support-loss gradient differs from the query-loss one');
  assert.ok(maxAbsDiff(sums.initial, sums.query) > 50 * tol, 'the gradient at the initial weights differs from the one at the adapted weights');
  model.dispose();
});

test('a FOMAML step moves the initial weights by the outer Adam step along the meta-gradient and keeps the adapted q(z)', () => {
  const { model, levels } = fixture('fomaml', { contextSteps: 2, innerSteps: 2, batchLevels: 2 });
  const train = levels.map((_, i) => i);
  const rng = new Rng(5);
  const assign = Array.from({ length: model.ensemble }, (_, e) => pickLevels(rng.fork(`m${e}`), train, 2));
  const meta = fomamlGradient(model, levels, assign, rng);
  const g = meta.grads.map((t) => t.dataSync() as Float32Array);
  const L = model.levelIds.length;
  const Z = model.shape.context;
  const qAdapted = meta.inner.qMu!.dataSync() as Float32Array;
  tf.dispose([...meta.grads, ...meta.inner.tilde, meta.inner.qMu!, meta.inner.qLogSig!]);
  const theta = model.readWeights();
  const adam = adamInit(model.trainables(false));
  const lr = 0.01;
  fomamlStep(model, levels, train, adam, rng, lr);
  // Adam's first step from zero moments is lr · g / (|g| + 1e-8)
  const after = model.readWeights();
  after.forEach((a, k) =>
    a.forEach((v, i) => {
      const gi = g[k]![i]!;
      const want = theta[k]![i]! - (lr * gi) / (Math.abs(gi) + 1e-8);
      assert.ok(Math.abs(v - want) < 1e-6 + 1e-3 * lr, `weight tensor ${k}[${i}]: ${v}, want ${want}`);
    }),
  );
  const qMu = model.qMu!.dataSync() as Float32Array;
  assign.forEach((levelsOf, e) =>
    levelsOf.forEach((level, t) => {
      for (let i = 0; i < Z; i++) assert.equal(qMu[(e * L + level) * Z + i], qAdapted[(e * 2 + t) * Z + i], `q(z) of task (${e}, ${level})`);
    }),
  );
  adamDispose(adam);
  model.dispose();
});
