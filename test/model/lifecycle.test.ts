// Training, saving, loading, resuming, aborting and the tensor budget, on a small real corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { adaptLevel, AbortError, ALGORITHMS, initBackend, trainModel, trainResumable, type MetaModel } from '../../src/model/index.js';
import { adapters } from '../support/adapters.js';
import { loadLatestModel, loadModelDir, saveModel } from '../../src/store/model-store.js';
import { gridX, smallCorpus } from './fixtures.js';

const run = promisify(execFile);
await initBackend();
const corpus = smallCorpus();
const newLevel = corpus.levels.find((l) => l.id === corpus.newLevelIds[0])!;
const newPts = corpus.playtests.filter((p) => p.levelId === newLevel.id);

const weightsOf = (m: MetaModel): Float32Array[] => m.weights.map((w) => (w.dataSync() as Float32Array).slice());
const tmp = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'mb-model-'));

function predictAll(m: MetaModel): Float32Array[] {
  const x = gridX(m.space.dim, 5);
  const out: Float32Array[] = [];
  for (const method of ['context', 'offsets', 'none'] as const) {
    const p = adapters[method](m, newLevel, newPts);
    const r = p.predict(x, 5, { draws: true });
    out.push(r.mode, r.draws!);
    p.dispose();
  }
  return out;
}

for (const algorithm of ALGORITHMS) {
  test(`${algorithm}: the same seed gives a bit-identical model, another seed a different one`, async () => {
    const steps = algorithm === 'joint' ? 30 : 4;
    const a = await trainModel(corpus, { steps, seed: 5, algorithm });
    const b = await trainModel(corpus, { steps, seed: 5, algorithm });
    const c = await trainModel(corpus, { steps, seed: 6, algorithm });
    assert.deepEqual(weightsOf(a), weightsOf(b));
    assert.notDeepEqual(weightsOf(a), weightsOf(c));
    assert.equal(a.info.algorithm, algorithm);
    assert.equal(a.info.steps, steps);
    for (const m of [a, b, c]) m.dispose();
  });
}

test('save → load gives identical predictions; a changed project is refused', async () => {
  const dir = await tmp();
  const trained = await trainResumable(corpus, { steps: 20, seed: 1 });
  const model = trained.model;
  const id = await saveModel(trained, dir);
  assert.match(id, /^m-/);
  assert.equal(model.info.modelId, undefined, 'saving leaves the model value as it was');
  const loaded = await loadLatestModel(dir, corpus.project);
  assert.ok(loaded);
  assert.equal(loaded.info.modelId, id);
  assert.deepEqual(predictAll(loaded), predictAll(model));
  const changed = { ...corpus.project, metrics: corpus.project.metrics.slice(1) };
  await assert.rejects(loadLatestModel(dir, changed), /different project definition/);
  assert.equal(await loadLatestModel(await tmp(), corpus.project), null);
  model.dispose();
  loaded.dispose();
  await rm(dir, { recursive: true });
});

test('a saved model loads and predicts identically in a fresh process (no explicit initBackend)', async () => {
  const dir = await tmp();
  const trained = await trainResumable(corpus, { steps: 10, seed: 4 });
  const model = trained.model;
  await saveModel(trained, dir);
  const x = gridX(model.space.dim, 3);
  const p = adaptLevel(model, newLevel, newPts);
  const here = Array.from(p.predict(x, 3, { draws: true }).draws!);
  p.dispose();
  model.dispose();
  const index = fileURLToPath(new URL('../../src/model/index.js', import.meta.url));
  const store = fileURLToPath(new URL('../../src/store/model-store.js', import.meta.url));
  const script = `
    const m = await import(${JSON.stringify(index)});
    const [dir, project, level, pts, x] = JSON.parse(process.argv[1]);
    const model = await (await import(${JSON.stringify(store)})).loadLatestModel(dir, project);
    const p = m.adaptLevel(model, level, pts);
    console.log(JSON.stringify(Array.from(p.predict(Float32Array.from(x), 3, { draws: true }).draws)));`;
  const arg = JSON.stringify([dir, corpus.project, newLevel, newPts, Array.from(x)]);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, arg], { env: { ...process.env, METABALANCE_BACKEND: '' } });
  assert.deepEqual(JSON.parse(stdout) as number[], here);
  await rm(dir, { recursive: true });
});

test('training resumes from a checkpoint to the same weights as an uninterrupted run', async () => {
  for (const algorithm of ['joint', 'reptile', 'fomaml'] as const) {
    const dir = await tmp();
    const steps = algorithm === 'joint' ? 40 : 6;
    let saved = '';
    const straight = await trainModel(corpus, {
      steps,
      seed: 2,
      algorithm,
      checkpointEvery: steps / 2,
      onCheckpoint: async (m) => {
        if (!saved) saved = await saveModel(m, dir);
      },
    });
    assert.ok(saved, 'a checkpoint was written');
    const checkpoint = await loadModelDir(path.join(dir, 'models', saved), corpus.project);
    const resumed = await trainModel(corpus, { resumeFrom: checkpoint });
    checkpoint.model.dispose();
    assert.equal(resumed.info.steps, steps);
    assert.deepEqual(weightsOf(resumed), weightsOf(straight), `${algorithm}: resumed ≠ straight`);
    straight.dispose();
    resumed.dispose();
    await rm(dir, { recursive: true });
  }
});

test('progress is reported and an abort stops training promptly without leaking tensors', async () => {
  const before = tf.memory().numTensors;
  const ctl = new AbortController();
  const seen: number[] = [];
  const t0 = Date.now();
  let abortedAt = 0;
  await assert.rejects(
    trainModel(corpus, {
      steps: 100000,
      signal: ctl.signal,
      onProgress: (p) => {
        seen.push(p.step);
        assert.equal(p.total, 100000);
        assert.ok(Number.isFinite(p.loss) && p.etaSec >= 0);
        if (p.step === 5) {
          abortedAt = Date.now();
          setTimeout(() => ctl.abort(), 0);
        }
      },
    }),
    (e: unknown) => e instanceof AbortError && e.name === 'AbortError',
  );
  assert.ok(Date.now() - abortedAt < 1000, 'stopped within a second');
  assert.deepEqual(seen.slice(0, 5), [1, 2, 3, 4, 5]);
  assert.ok(Date.now() - t0 < 20000);
  assert.equal(tf.memory().numTensors, before);
});

test('repeated adapt + predict leaves the live tensor count flat', async () => {
  const model = await trainModel(corpus, { steps: 10, seed: 1 });
  const x = gridX(model.space.dim, 50);
  const cycle = (): void => {
    for (const method of ['context', 'offsets', 'none'] as const) {
      const p = adapters[method](model, newLevel, newPts);
      p.predict(x, 50);
      p.predict(x, 50, { draws: true });
      p.dispose();
    }
  };
  cycle();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) cycle();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('a trained and disposed model leaves no tensors behind', async () => {
  const before = tf.memory().numTensors;
  for (const algorithm of ALGORITHMS) {
    const m = await trainModel(corpus, { steps: 3, algorithm });
    predictAll(m);
    m.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});
