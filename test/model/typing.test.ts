// Few-shot tester typing on a small typed sample corpus, with real training: held-out testers typed
// from five runs well above chance and better than raw metrics' nearest centroid; seeded; saved and
// loaded with the model; and balancing's segment mix counting a typed tester by its probabilities.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { levelBase } from '../../src/balance/index.js';
import { segmentMix, withSegments } from '../../src/balance/segments.js';
import * as tf from '@tensorflow/tfjs-core';
import { AbortError, adaptLevel, initBackend, trainModel, trainResumable, typeTesters } from '../../src/model/index.js';
import { ownColumns } from '../../src/model/inputs.js';
import { declaredTesters, trainTyping, TYPING_TRAINING } from '../../src/model/typing.js';
import type { Playtest } from '../../src/project/types.js';
import { loadLatestModel, saveModel } from '../../src/store/model-store.js';
import { generateCorpus, pastCorpus } from '../../samples/crypt-run/corpus.js';
import { nearestCentroid, rawCodings, rawFeatures } from '../../bench/support/typing-baselines.js';

await initBackend();
const sample = generateCorpus({ seed: 11, pastLevels: 80, playtestsPerPast: 25, newLevels: 0, testers: 'typed' });
const corpus = pastCorpus(sample);
const typeOf = new Map(sample.population.map((t) => [t.name, t.type!]));
const declared = declaredTesters(corpus.project);
const trained = await trainResumable(corpus, { seed: 2, steps: 300 });
const model = trained.model;

/** The corpus with each undeclared tester's runs cut to its runs from+1 … from+n (the declared testers' kept whole), and who has them all. */
function fewRuns(n: number, from: number): { corpus: typeof corpus; heldOut: string[] } {
  const seen = new Map<string, number>();
  const playtests = corpus.playtests.filter((pt: Playtest) => {
    if (declared.has(pt.tester!)) return true;
    const k = seen.get(pt.tester!) ?? 0;
    seen.set(pt.tester!, k + 1);
    return k >= from && k < from + n;
  });
  return { corpus: { ...corpus, playtests }, heldOut: [...seen].filter(([, k]) => k >= from + n).map(([t]) => t) };
}

test('the model trained on a project with segments of known testers has a typing network over them', () => {
  assert.ok(model.typing, 'typed corpus → typing network');
  assert.deepEqual(model.typing.segments, corpus.project.segments.map((g) => g.name));
  assert.deepEqual((model.info['typing'] as { segments: string[] }).segments, model.typing.segments);
});

test('held-out testers typed from 5 runs: far above chance (20 %) and better than raw metrics’ nearest centroid', (t) => {
  const segments = model.typing!.segments;
  const known = corpus.playtests.filter((pt) => declared.has(pt.tester!));
  const codings = rawCodings(model.spec.metrics, known);
  const centroid = nearestCentroid(known.map((pt) => ({ x: rawFeatures(codings, pt), y: segments.indexOf(declared.get(pt.tester!)!) })), segments.length);
  let trials = 0;
  let proto = 0;
  let raw = 0;
  // four disjoint sets of five runs per held-out tester
  for (const from of [0, 5, 10, 15]) {
    const { corpus: few, heldOut } = fewRuns(5, from);
    const typed = new Map(typeTesters(model, few, heldOut).map((x) => [x.tester, x]));
    for (const tester of heldOut) {
      trials++;
      if (typed.get(tester)!.segment === typeOf.get(tester)) proto++;
      if (segments[centroid(few.playtests.filter((pt) => pt.tester === tester).map((pt) => rawFeatures(codings, pt)))] === typeOf.get(tester)) raw++;
    }
  }
  t.diagnostic(`${trials} typings of held-out testers from 5 runs: prototypical network ${(proto / trials).toFixed(2)}, nearest centroid ${(raw / trials).toFixed(2)}`);
  assert.ok(trials >= 50, `${trials} trials`);
  assert.ok(proto / trials >= 0.5, `prototypical network ${proto / trials}`);
  assert.ok(proto > raw, `prototypical network ${proto} vs nearest centroid ${raw} of ${trials}`);
});

test('typings: every tester with a playtest, declared ones declared with confidence 1, probabilities summing to 1', () => {
  const all = typeTesters(model, corpus);
  assert.deepEqual(all.map((t) => t.tester), [...typeOf.keys()].filter((t) => corpus.playtests.some((pt) => pt.tester === t)).sort());
  for (const t of all) {
    const sum = Object.values(t.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6, `${t.tester}: probabilities sum to ${sum}`);
    assert.equal(t.playtests, corpus.playtests.filter((pt) => pt.tester === t.tester).length);
    if (declared.has(t.tester)) {
      assert.deepEqual([t.declared, t.segment, t.confidence, t.probabilities[t.segment]], [true, declared.get(t.tester), 1, 1]);
    } else {
      assert.equal(t.declared, false);
      assert.equal(t.confidence, Math.max(...Object.values(t.probabilities)));
      assert.equal(t.probabilities[t.segment], t.confidence);
    }
  }
});

test('the same seed gives identical typing probabilities, another seed other ones', async () => {
  const short = { ...TYPING_TRAINING, steps: 30 };
  const typed = [];
  for (const seed of [2, 2, 3]) typed.push(model.with({ typing: await trainTyping(model, corpus, seed, short) }));
  const [a, b, c] = typed;
  const undeclared = [...typeOf.keys()].filter((t) => !declared.has(t));
  assert.deepEqual(typeTesters(a!, corpus, undeclared), typeTesters(b!, corpus, undeclared));
  assert.notDeepEqual(typeTesters(a!, corpus, undeclared), typeTesters(c!, corpus, undeclared));
});

test('a saved model keeps its typing network; a model without one says to train again', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-typing-'));
  try {
    await saveModel(trained, dir);
    const loaded = await loadLatestModel(dir, corpus.project);
    assert.ok(loaded?.typing);
    const undeclared = [...typeOf.keys()].filter((t) => !declared.has(t)).slice(0, 6);
    assert.deepEqual(typeTesters(loaded, corpus, undeclared), typeTesters(model, corpus, undeclared));
    loaded.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const bare = model.with({ typing: null });
  assert.throws(() => typeTesters(bare, corpus), /no typing network.*train again/);
  assert.throws(() => typeTesters(model, { ...corpus, project: { ...corpus.project, segments: [] } }), /declares no segments/);
});

test('segmentMix counts an undeclared tester with its own input by its typed probabilities, and not once it is declared', () => {
  const { testers, mix } = model.inputs;
  const i = testers.findIndex((t) => t !== '' && !declared.has(t));
  assert.ok(i >= 0, 'some undeclared tester has its own input');
  const p = model.typing!.inputTesters[testers[i]!]!;
  assert.deepEqual(p.length, corpus.project.segments.length);
  const typed = model.typing!.inputTesters;
  const raw = corpus.project.segments.map((g) => {
    const w = segmentMix(model, g, corpus.project.segments);
    const c = model.typing!.segments.indexOf(g.name);
    const total = testers.reduce((s, t, k) => s + (g.testers.includes(t) || t === `@${g.name}` ? mix[k]! : typed[t] ? mix[k]! * typed[t]![c]! : 0), 0);
    return w[i]! * total;
  });
  // unnormalised, the tester's weight over all segments adds up to its share of the corpus
  assert.ok(Math.abs(raw.reduce((a, b) => a + b, 0) - mix[i]!) < 1e-6);
  // every input tester declared (the undeclared ones into the first segment): each segment's mix is its testers' shares alone, as before typing
  const undeclared = ownColumns(testers).filter((t) => !declared.has(t));
  const segments = corpus.project.segments.map((g, k) => (k === 0 ? { ...g, testers: [...g.testers, ...undeclared] } : g));
  segments.forEach((g, k) => {
    const own = testers.map((t, j) => (g.testers.includes(t) || t === `@${g.name}` ? mix[j]! : 0));
    const total = own.reduce((a, b) => a + b, 0);
    const w = segmentMix(model, g, segments);
    assert.deepEqual(w, own.map((v) => v / total));
    assert.equal(w[i]! > 0, k === 0);
  });
});

test('50 testers, 12 inputs of their own: a segment none of whose testers has one is predicted by its pool of rare testers', () => {
  const { testers, mix } = model.inputs;
  const own = new Set(ownColumns(testers));
  const orphan = corpus.project.segments.find((g) => !g.testers.some((t) => own.has(t)));
  assert.ok(orphan, `some segment has no tester with an input of its own (own inputs: ${[...own].join(', ')})`);
  // each pool's share is its testers' share of the corpus
  for (const g of corpus.project.segments) {
    const pooled = corpus.playtests.filter((pt) => g.testers.includes(pt.tester!) && !own.has(pt.tester!)).length;
    assert.ok(Math.abs(mix[testers.indexOf(`@${g.name}`)]! - pooled / corpus.playtests.length) < 1e-9, `${g.name}'s pool`);
  }
  const w = segmentMix(model, orphan, corpus.project.segments);
  testers.forEach((t, k) => {
    if (t === `@${orphan.name}`) assert.ok(w[k]! > 0, `${orphan.name} is predicted by its pool`);
    else if (!own.has(t) || declared.has(t)) assert.equal(w[k], 0, `${t} is not of ${orphan.name}: ${w.join(', ')}`);
  });
  // a tester id that reads like another segment's column is a tester, not that column
  const other = corpus.project.segments.find((g) => g !== orphan)!;
  const odd = segmentMix(model, { ...orphan, testers: [...orphan.testers, `@${other.name}`] }, corpus.project.segments);
  assert.equal(odd[testers.indexOf(`@${other.name}`)], 0, `${orphan.name} does not take ${other.name}'s pool`);
  // every segment targeted at once: novices are predicted to win less than experts on every level
  const project = {
    ...corpus.project,
    targets: corpus.project.segments.map((g) => ({ metric: 'won', segment: g.name, target: 0.5, tolerance: 0.05, weight: 1 })),
  };
  for (const level of corpus.levels.slice(0, 5)) {
    const playtests = corpus.playtests.filter((pt) => pt.levelId === level.id).slice(0, 6);
    const predictor = withSegments(model, project, adaptLevel(model, level, playtests));
    const { mode } = predictor.predict(model.space.encode(levelBase(project, playtests)), 1);
    const won = (g: string): number => mode[predictor.metrics.indexOf(`won@${g}`)]!;
    assert.ok(won('novice') < won('expert'), `level ${level.id}: novices ${won('novice')}, experts ${won('expert')}`);
    predictor.dispose();
  }
});

test('an abort that arrives after the meta-model’s last step stops the typing network’s training, without leaking tensors', async () => {
  const before = tf.memory().numTensors;
  const ctl = new AbortController();
  const steps = 20;
  await assert.rejects(
    trainModel(corpus, { seed: 4, steps, signal: ctl.signal, onProgress: (p) => void (p.step === steps && ctl.abort()) }),
    (e: unknown) => e instanceof AbortError,
  );
  assert.equal(tf.memory().numTensors, before);
});

test('a segment removed since training drops out of a typing; the other segments share its probability', () => {
  const [gone, ...kept] = corpus.project.segments;
  const undeclared = [...typeOf.keys()].filter((t) => !declared.has(t)).slice(0, 6);
  const before = new Map(typeTesters(model, corpus, undeclared).map((x) => [x.tester, x]));
  for (const x of typeTesters(model, { ...corpus, project: { ...corpus.project, segments: kept } }, undeclared)) {
    assert.deepEqual(Object.keys(x.probabilities), kept.map((g) => g.name));
    assert.notEqual(x.segment, gone!.name);
    const p = before.get(x.tester)!.probabilities;
    for (const g of kept) assert.ok(Math.abs(x.probabilities[g.name]! - p[g.name]! / (1 - p[gone!.name]!)) < 1e-6, `${x.tester} ${g.name}`);
  }
});

test('a project whose segments name one known tester each gets no typing network', async () => {
  const bots = generateCorpus({ seed: 3, pastLevels: 12, playtestsPerPast: 10, newLevels: 0 });
  const project = { ...bots.project, segments: [{ name: 'novice', testers: ['bot:novice'] }, { name: 'expert', testers: ['bot:expert'] }] };
  const m = await trainModel({ ...pastCorpus(bots), project }, { seed: 1, steps: 20 });
  assert.equal(m.typing, null);
  m.dispose();
});
