import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateCorpus, type SampleCorpus } from '../../samples/crypt-run/corpus.js';
import { expectedMetrics, testers, variants } from '../../samples/crypt-run/game.js';
import { TESTER_TYPES } from '../../samples/crypt-run/typed-testers.js';
import { readTruth } from '../../samples/crypt-run/truth.js';
import { SAMPLE_CORPUS, sampleProjectDir, writeSampleProject } from '../../samples/crypt-run/generate.js';
import { defaultParams } from '../../samples/crypt-run/oracle.js';
import { toUnit, isNumeric } from '../../samples/crypt-run/param-scale.js';
import { checkLevel, checkPlaytest } from '../../src/project/validate.js';
import { ProjectStore } from '../../src/store/project-store.js';

const small = { seed: 7, pastLevels: 12, playtestsPerPast: 30, newLevels: 4, playtestsPerNew: 5 };

function plain(c: SampleCorpus): unknown {
  return { ...c, truth: [...c.truth] };
}

test('the same seed gives the same corpus; another seed another one', () => {
  assert.deepEqual(plain(generateCorpus(small)), plain(generateCorpus(small)));
  const other = generateCorpus({ ...small, seed: 8 });
  assert.notDeepEqual(other.levels, generateCorpus(small).levels);
  assert.notDeepEqual(other.playtests.map((p) => p.metrics), generateCorpus(small).playtests.map((p) => p.metrics));
});

test('a level does not depend on how many playtests the corpus asks for', () => {
  const few = generateCorpus({ ...small, playtestsPerPast: 3, playtestsPerNew: 1 });
  const many = generateCorpus(small);
  assert.deepEqual(few.levels, many.levels);
  assert.deepEqual([...few.truth], [...many.truth]);
});

test('ids, testers, timestamps and counts are as documented', () => {
  const c = generateCorpus(small);
  assert.deepEqual(c.pastLevelIds, Array.from({ length: 12 }, (_, i) => `L${String(i + 1).padStart(3, '0')}`));
  assert.deepEqual(c.newLevelIds, ['N001', 'N002', 'N003', 'N004']);
  assert.deepEqual(c.levels.map((l) => l.id), [...c.pastLevelIds, ...c.newLevelIds]);
  assert.equal(c.playtests.length, 12 * 30 + 4 * 5);
  const ids = new Set(c.playtests.map((p) => p.id));
  assert.equal(ids.size, c.playtests.length);
  const names = new Set(testers.map((t) => t.name));
  for (const p of c.playtests) {
    assert.match(p.id!, /^pt-[LN]\d{3}-\d{2}$/);
    assert.ok(names.has(p.tester!), p.tester);
    assert.match(p.at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(c.truth.has(p.levelId));
  }
  const times = c.playtests.map((p) => Date.parse(p.at!));
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]!), 'timestamps increase through the corpus');
});

test('past levels are played at many settings; new levels at or near the defaults', () => {
  const c = generateCorpus({ ...small, pastLevels: 40 });
  const project = c.project;
  const defaults = defaultParams();
  const past = c.playtests.filter((p) => p.levelId.startsWith('L'));
  for (const id of c.pastLevelIds) {
    const settings = new Set(past.filter((p) => p.levelId === id).map((p) => JSON.stringify(p.params)));
    assert.ok(settings.size >= 6, `${id}: ${settings.size} settings`);
  }
  for (const p of project.params) {
    const values = new Set(past.map((t) => JSON.stringify(t.params![p.name])));
    assert.ok(values.size >= 2, `${p.name} is varied somewhere`);
  }
  const spread = (name: string): number => {
    const param = project.params.find((p) => p.name === name)!;
    if (!isNumeric(param)) throw new Error(name);
    const us = past.map((t) => toUnit(param, t.params![name] as number));
    return Math.max(...us) - Math.min(...us);
  };
  assert.ok(spread('enemyHealth') > 0.8 && spread('enemyDamage') > 0.8, 'the designers tried most of the range');
  const fresh = c.playtests.filter((p) => p.levelId.startsWith('N'));
  for (const t of fresh) {
    const index = Number(t.id!.slice(-2));
    if (index <= 3) assert.deepEqual(t.params, defaults, t.id);
    for (const p of project.params) {
      const v = t.params![p.name]!;
      if (isNumeric(p)) assert.ok(Math.abs(toUnit(p, v as number) - toUnit(p, p.default)) < 0.3, `${t.id} ${p.name}=${String(v)}`);
      else assert.equal(v, p.default, `${t.id} ${p.name}`);
    }
  }
});

test('every record passes the project validator; a few levels leave out a feature the truth still knows', () => {
  const c = generateCorpus({ ...small, pastLevels: 200, playtestsPerPast: 2, newLevels: 20, playtestsPerNew: 1, variant: variants[1] });
  const ids = new Set(c.levels.map((l) => l.id));
  for (const l of c.levels) assert.deepEqual(checkLevel(c.project, l).problems, [], l.id);
  for (const p of c.playtests) assert.deepEqual(checkPlaytest(c.project, p, (id) => ids.has(id)).problems, [], p.id);
  const featureNames = c.project.features.map((f) => f.name);
  const partial = c.levels.filter((l) => Object.keys(l.features).length < featureNames.length);
  assert.ok(partial.length >= 2 && partial.length <= 20, `${partial.length} levels miss a feature`);
  for (const l of partial) assert.deepEqual(Object.keys(c.truth.get(l.id)!.features).sort(), [...featureNames].sort());
});

test('the committed sample project is exactly what generate.ts writes, and the project store loads it cleanly', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'crypt-run-'));
  try {
    const corpus = await writeSampleProject(dir, SAMPLE_CORPUS);
    let bytes = 0;
    for (const file of ['project.json', 'levels.jsonl', 'playtests.jsonl', 'truth.json']) {
      const committed = await readFile(path.join(sampleProjectDir(), file), 'utf8');
      assert.ok(committed === (await readFile(path.join(dir, file), 'utf8')), `${file} is stale: run npm run sample:generate`);
      bytes += Buffer.byteLength(committed);
    }
    assert.ok(bytes < 3_000_000, `${bytes} bytes`);
    const truth = await readTruth(dir);
    assert.deepEqual([...truth.levels], [...corpus.truth]);
    assert.deepEqual([truth.seed, truth.variant, truth.newLevelIds], [0, variants[0], corpus.newLevelIds]);
    const store = await ProjectStore.open(dir);
    try {
      assert.deepEqual([store.repairs, store.warnings], [[], []]);
      assert.deepEqual(store.project, corpus.project);
      assert.equal(store.levels().length, 220);
      assert.equal(store.playtests().length, 200 * 30 + 20 * 5);
      assert.equal(store.playtestsFor('N007').length, 5);
      assert.deepEqual(store.level('L042'), corpus.levels[41]);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('typed testers: named testers of five hidden types (skill and style), unequal runs, a part of each type declared as its segment', () => {
  const c = generateCorpus({ ...small, testers: 'typed' });
  const bots = generateCorpus(small);
  assert.equal(bots.population, testers);
  assert.deepEqual(c.levels, bots.levels, 'the testers change the runs, not the levels');
  const typeOf = new Map(c.population.map((t) => [t.name, t.type]));
  assert.deepEqual(c.project.segments.map((g) => g.name), TESTER_TYPES.map((t) => t.name));
  for (const g of c.project.segments) for (const t of g.testers) assert.equal(typeOf.get(t), g.name);
  const declared = c.project.segments.reduce((s, g) => s + g.testers.length, 0);
  assert.ok(declared > 0 && declared < c.population.length, `${declared} of ${c.population.length} declared`);
  const runs = new Map<string, number>();
  for (const p of c.playtests) {
    assert.ok(typeOf.has(p.tester!), `${p.tester} is one of the population`);
    runs.set(p.tester!, (runs.get(p.tester!) ?? 0) + 1);
  }
  assert.ok(Math.max(...runs.values()) >= 3 * Math.min(...runs.values()), 'some testers play far more than others');
  // the truth per type: rushers finish faster and, taking more damage, win less often than careful players; experts win more than novices
  const level = c.truth.get(c.pastLevelIds[0]!)!;
  const of = (type: string): Record<string, number> =>
    expectedMetrics(level, defaultParams(), variants[0], undefined, c.population.filter((t) => t.type === type).map((t) => t.name), c.population);
  assert.ok(of('rusher')['durationSec']! < of('careful')['durationSec']!);
  assert.ok(of('rusher')['won']! < of('careful')['won']!);
  assert.ok(of('expert')['won']! > of('novice')['won']!);
});
