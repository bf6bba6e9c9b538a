// Network inputs beyond the unit cube: the tester vocabulary and population mix, params on their
// other scale, and — on a game where skill decides the outcome — that runs by strong testers do not
// make a level look easy once the model knows who played.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitInputs, inputLayout, playtestInputs, populationInputs, populationWeights, testerIndex } from '../../src/model/inputs.js';
import { paramSpace } from '../../src/model/param-space.js';
import { adaptLevel, initBackend, trainModel } from '../../src/model/index.js';
import { parseProject } from '../../src/project/validate.js';
import type { Level, Playtest } from '../../src/project/types.js';
import { Rng } from '../../src/util/rng.js';

const project = parseProject({
  name: 'skill-game',
  params: [
    { name: 'damage', type: 'float', min: 2, max: 20, default: 8 },
    { name: 'health', type: 'float', min: 10, max: 1000, default: 100, scale: 'log' },
    { name: 'mode', type: 'choice', choices: ['a', 'b'], default: 'a' },
    { name: 'traps', type: 'float', min: 0, max: 1, default: 0.5 },
  ],
  features: [],
  metrics: [
    { name: 'won', kind: 'rate' },
    { name: 'score', kind: 'continuous' },
  ],
  targets: [{ metric: 'won', target: 0.5, tolerance: 0.05 }],
});

const pt = (tester: string | undefined, n: number): Playtest[] =>
  Array.from({ length: n }, () => ({ levelId: 'L', metrics: { won: 1 }, ...(tester === undefined ? {} : { tester }) }));

test('tester vocabulary: frequent testers by count, the rest (and unnamed ones) share one input', () => {
  const c = fitInputs(project, [...pt('bot:a', 50), ...pt('bot:b', 30), ...pt('bot:rare', 5), ...pt(undefined, 15)], { rescale: false, testers: true });
  assert.deepEqual(c.testers, ['bot:a', 'bot:b', '']);
  assert.deepEqual(c.testerMix, [0.5, 0.3, 0.2]);
  const lay = inputLayout(paramSpace(project), project.params, c);
  assert.equal(testerIndex(lay, 'bot:b'), 1);
  assert.equal(testerIndex(lay, 'bot:rare'), 2);
  assert.equal(testerIndex(lay, undefined), 2);
  // one group (or none) is no information: no tester inputs at all
  assert.deepEqual(fitInputs(project, pt(undefined, 40), { rescale: false, testers: true }).testers, []);
  assert.deepEqual(fitInputs(project, [...pt('x', 40), ...pt('y', 40)], { rescale: false, testers: false }).testers, []);
});

test('testers too rare for an input of their own share their declared segment’s; an id starting with @ never gets its own', () => {
  const segmented = { ...project, segments: [{ name: 'novice', testers: ['n1', 'n2', 'n3', 'n4', 'n5'] }, { name: 'expert', testers: ['e1'] }] };
  const runs = [...pt('a', 50), ...pt('e1', 25), ...['n1', 'n2', 'n3', 'n4', 'n5'].flatMap((n) => pt(n, 4)), ...pt('x', 2), ...pt('@novice', 3)];
  const c = fitInputs(segmented, runs, { rescale: false, testers: true });
  assert.deepEqual(c.testers, ['a', 'e1', '@novice', '']);
  assert.deepEqual(c.testerMix, [0.5, 0.25, 0.2, 0.05]);
  assert.deepEqual(c.pooled, { n1: '@novice', n2: '@novice', n3: '@novice', n4: '@novice', n5: '@novice' });
  const lay = inputLayout(paramSpace(segmented), segmented.params, c);
  assert.deepEqual(['n3', 'e1', 'x', '@novice', undefined].map((t) => testerIndex(lay, t)), [2, 1, 3, 3, 3]);
  // without segments, the same corpus codes as before: the rare testers share the rest's input
  assert.deepEqual(fitInputs(project, runs, { rescale: false, testers: true }), { rescaled: [], testers: ['a', 'e1', ''], testerMix: [0.5, 0.25, 0.25] });
});

test('tester ids are data, not object keys: "constructor" is a rare tester like any other, "__proto__" pools into its segment', () => {
  const segmented = { ...project, segments: [{ name: 'novice', testers: ['__proto__', 'n1'] }] };
  const runs = [...pt('a', 50), ...pt('b', 30), ...pt('constructor', 5), ...pt('__proto__', 5), ...pt('n1', 10)];
  const c = JSON.parse(JSON.stringify(fitInputs(segmented, runs, { rescale: false, testers: true }))) as ReturnType<typeof fitInputs>;
  assert.deepEqual(c.testers, ['a', 'b', '@novice', '']);
  assert.deepEqual(c.testerMix, [0.5, 0.3, 0.15, 0.05]);
  const lay = inputLayout(paramSpace(segmented), segmented.params, c);
  assert.deepEqual(['constructor', 'toString', '__proto__', 'n1'].map((t) => testerIndex(lay, t)), [3, 3, 2, 2]);
});

test('rescaled params: positive linear ones also enter on a log scale, log ones also linearly, both in [0, 1]', () => {
  const c = fitInputs(project, [], { rescale: true, testers: false });
  assert.deepEqual(c.rescaled, [0, 1], 'traps (min 0) has no log scale; the choice none');
  const lay = inputLayout(paramSpace(project), project.params, c);
  assert.equal(lay.base, 5);
  assert.equal(lay.width, 7);
  // damage at 2·√5 ≈ 4.47 is halfway on the log scale between 2 and 20; health halfway in log is 100
  const x = Float32Array.from([(2 * Math.sqrt(10) - 2) / 18, 0.5, 1, 0, 1]);
  const row = playtestInputs(lay, x, -1);
  assert.deepEqual(Array.from(row.subarray(0, 5)), Array.from(x));
  assert.ok(Math.abs(row[5]! - 0.5) < 1e-6, `damage on a log scale: ${row[5]}`);
  assert.ok(Math.abs(row[6]! - 90 / 990) < 1e-6, `health linearly: ${row[6]}`);
  for (const u of [0, 1]) {
    const ends = playtestInputs(lay, Float32Array.from([u, u, 1, 0, u]), -1);
    assert.ok(Math.abs(ends[5]! - u) < 1e-6 && Math.abs(ends[6]! - u) < 1e-6);
  }
});

test('population rows: every candidate once per tester, weighted by the corpus mix', () => {
  const c = fitInputs(project, [...pt('pro', 25), ...pt('new', 75)], { rescale: false, testers: true });
  const lay = inputLayout(paramSpace(project), project.params, c);
  const x = Float32Array.from([0.1, 0.2, 1, 0, 0.3, 0.9, 0.8, 0, 1, 0.7]);
  const rows = populationInputs(lay, x, 2);
  assert.equal(rows.length, 2 * 2 * lay.width);
  assert.deepEqual(populationWeights(lay), [0.75, 0.25]);
  const row = (i: number): number[] => Array.from(rows.subarray(i * lay.width, (i + 1) * lay.width)).map((v) => Math.round(v * 100) / 100);
  assert.deepEqual(row(0), [0.1, 0.2, 1, 0, 0.3, 1, 0]);
  assert.deepEqual(row(1), [0.1, 0.2, 1, 0, 0.3, 0, 1]);
  assert.deepEqual(row(3), [0.9, 0.8, 0, 1, 0.7, 0, 1]);
  // a tester the corpus never named (and no rare-or-unnamed group to put it in) plays like the population
  assert.equal(testerIndex(lay, 'alice'), -1);
  assert.deepEqual(Array.from(playtestInputs(lay, x.subarray(0, 5), -1).subarray(5)), [0.75, 0.25]);
});

/** Levels of a game where skill decides: pros win, newcomers lose, the level's toughness shifts both. */
function skillCorpus(seed: number): { levels: Level[]; playtests: Playtest[] } {
  const rng = new Rng(seed);
  const levels: Level[] = [];
  const playtests: Playtest[] = [];
  for (let l = 0; l < 60; l++) {
    const id = `L${l}`;
    const tough = 1.5 * rng.normal();
    levels.push({ id, features: {} });
    for (let i = 0; i < 16; i++) {
      const pro = rng.next() < 0.5;
      const skill = pro ? 1.5 : -1.5;
      const won = rng.next() < 1 / (1 + Math.exp(-(skill - tough))) ? 1 : 0;
      const score = Math.exp(0.3 * skill - 0.5 * tough + 0.05 * rng.normal());
      playtests.push({ levelId: id, params: {}, metrics: { won, score }, tester: pro ? 'pro' : 'new' });
    }
  }
  return { levels, playtests };
}

test('runs by strong testers do not make a new level look easy when the model knows the tester', async () => {
  await initBackend();
  const { levels, playtests } = skillCorpus(5);
  const level: Level = { id: 'NEW', features: {} };
  // an average level (toughness 0): the population wins half its runs; two pros won theirs
  const truth = 0.5 / (1 + Math.exp(-1.5)) + 0.5 / (1 + Math.exp(1.5));
  const pros: Playtest[] = [1, 2].map(() => ({ levelId: 'NEW', params: {}, metrics: { won: 1, score: Math.exp(0.45) }, tester: 'pro' }));
  const predictedWon = async (testerInputs: boolean): Promise<number> => {
    const model = await trainModel({ project, levels, playtests }, { seed: 1, steps: 300, config: { testerInputs } });
    const population = model.info.testers as Record<string, number> | undefined;
    if (testerInputs) {
      assert.deepEqual(Object.keys(population ?? {}).sort(), ['new', 'pro'], 'model.info names the population');
      assert.ok(Math.abs(population!.pro! - 0.5) < 0.05);
    } else assert.equal(population, undefined);
    const p = adaptLevel(model, level, pros);
    const won = p.predict(model.space.encode({}), 1).mode[0]!;
    p.dispose();
    model.dispose();
    return won;
  };
  const knowing = await predictedWon(true);
  const blind = await predictedWon(false);
  assert.ok(Math.abs(knowing - truth) < 0.04, `with tester inputs: predicted won ${knowing.toFixed(3)}, truth ${truth.toFixed(3)}`);
  assert.ok(blind - truth > 0.05, `without tester inputs the level looks easy: ${blind.toFixed(3)} vs ${truth.toFixed(3)}`);
  assert.ok(blind - truth > 2 * Math.abs(knowing - truth), `blind ${blind.toFixed(3)}, knowing ${knowing.toFixed(3)}, truth ${truth.toFixed(3)}`);
});
