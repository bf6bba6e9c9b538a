import assert from 'node:assert/strict';
import { appendFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InputError, formatProblem } from '../../src/project/errors.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { exampleProjectFile, makeProjectDir, playtest } from '../project/fixtures.js';

const lines = async (dir: string, file: string) => (await readFile(path.join(dir, file), 'utf8')).split('\n').filter((l) => l !== '');
const openProblems = async (dir: string): Promise<string[]> => {
  try {
    await ProjectStore.open(dir);
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e.problems.map(formatProblem);
  }
  assert.fail('the project opened');
};

describe('ProjectStore loading', () => {
  it('loads levels and playtests, indexed by level', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('a'))}\n${JSON.stringify(playtest('b', 'L2'))}\n${JSON.stringify(playtest('c'))}\n` });
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.levels().map((l) => l.id), ['L1', 'L2']);
    assert.deepEqual(store.level('L2'), { id: 'L2', features: { area: 800 } });
    assert.deepEqual(store.playtestsFor('L1').map((p) => p.id), ['a', 'c']);
    assert.equal(store.playtests().length, 3);
    assert.deepEqual(store.repairs, []);
    await store.close();
  });
  it('a repeated level id is an upsert: the last line wins, the first position is kept', async () => {
    const dir = await makeProjectDir({ levels: '{"id":"L1","features":{"area":1}}\n{"id":"L2"}\n{"id":"L1","features":{"area":2}}\n' });
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.levels(), [{ id: 'L1', features: { area: 2 } }, { id: 'L2', features: {} }]);
    await store.close();
  });
  it('fails naming file, line and field of every bad line; never drops one silently', async () => {
    const good = JSON.stringify(playtest('a'));
    const dir = await makeProjectDir({
      levels: '{"id":"L1"}\n{"id":"L2","features":{"size":3}}\n',
      playtests: `${good}\n\n{"levelId":"L1","params":{"enemyHealth":"lots"},"metrics":{"won":1}}\n{not json}\n${good.replace('"a"', '"b"').replace('"L1"', '"L7"')}\n`,
    });
    assert.deepEqual(await openProblems(dir), [
      'levels.jsonl:2: features.size: unknown feature (declared: area, chokepoints)',
      'playtests.jsonl:3: params.enemyHealth: must be a number (got "lots")',
      "playtests.jsonl:4: invalid JSON: Expected property name or '}'",
      'playtests.jsonl:5: levelId: unknown level "L7" (add it to levels.jsonl first)',
    ]);
  });
  it('names project.json problems, including invalid JSON with its line', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'project.json'), '{\n  "name": "x",\n  "params": [,]\n}\n');
    const [problem] = await openProblems(dir);
    assert.equal(problem, "project.json:3: invalid JSON: Unexpected token ',' (column 14)");
    await writeFile(path.join(dir, 'project.json'), JSON.stringify({ ...exampleProjectFile(), targets: [{ metric: 'x', target: 1, tolerance: 1 }] }));
    assert.deepEqual(await openProblems(dir), ['project.json: targets[0].metric: names no declared metric (got "x"; declared: won, durationSec, deaths)']);
  });
  it('repairs a torn last line: cut away, saved aside, reported; every complete line kept', async () => {
    const full = `${JSON.stringify(playtest('a'))}\n${JSON.stringify(playtest('b'))}\n`;
    const dir = await makeProjectDir({ playtests: `${full}{"id":"c","levelId":"L1","met` });
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.playtests().map((p) => p.id), ['a', 'b']);
    assert.equal(store.repairs.length, 1);
    assert.match(store.repairs[0]!, /^playtests\.jsonl:3: removed an incomplete last line \(29 bytes\) left by an interrupted write; saved to \.metabalance\/repaired\/playtests\.jsonl\..*\.txt$/);
    assert.equal(await readFile(path.join(dir, 'playtests.jsonl'), 'utf8'), full);
    const saved = await readdir(path.join(dir, '.metabalance', 'repaired'));
    assert.equal(await readFile(path.join(dir, '.metabalance', 'repaired', saved[0]!), 'utf8'), '{"id":"c","levelId":"L1","met\n');
    // The next append lands on a clean line.
    await store.appendPlaytests([playtest('d')]);
    await store.close();
    assert.deepEqual((await ProjectStore.open(dir)).playtests().map((p) => p.id), ['a', 'b', 'd']);
  });
  it('a torn line left by a writer that crashed after we opened is repaired before our append, not glued to it', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('a'))}\n` });
    const store = await ProjectStore.open(dir);
    await appendFile(path.join(dir, 'playtests.jsonl'), '{"id":"torn","levelId":"L1","met');
    assert.deepEqual(await store.appendPlaytests([playtest('b')]), { accepted: ['b'], acceptedIndexes: [0], duplicates: [], rejected: [] });
    assert.match(store.repairs.join('\n'), /^playtests\.jsonl:2: removed an incomplete last line/);
    assert.deepEqual((await lines(dir, 'playtests.jsonl')).map((l) => (JSON.parse(l) as { id: string }).id), ['a', 'b']);
    assert.deepEqual((await ProjectStore.open(dir)).playtests().map((p) => p.id), ['a', 'b']);
  });
  it('a complete last line without its newline is kept and the newline added', async () => {
    const dir = await makeProjectDir({ levels: '{"id":"L1"}\n{"id":"L2"}' });
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.levels().map((l) => l.id), ['L1', 'L2']);
    assert.deepEqual(store.repairs, ['levels.jsonl:2: added the missing newline at the end of the file']);
    await store.upsertLevels([{ id: 'L3' }]);
    await store.close();
    assert.deepEqual(await lines(dir, 'levels.jsonl'), ['{"id":"L1"}', '{"id":"L2"}', '{"id":"L3","features":{}}']);
  });
  it('a torn line in the middle is an error, not a repair', async () => {
    const dir = await makeProjectDir({ playtests: `{"id":"c","levelId":"L1","met\n${JSON.stringify(playtest('a'))}\n` });
    assert.deepEqual(await openProblems(dir), ['playtests.jsonl:1: invalid JSON: Unterminated string']);
  });
});

describe('ProjectStore appends', () => {
  it('appends durably and idempotently by id', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir);
    assert.deepEqual(await store.appendPlaytests([playtest('a'), playtest('b')]), { accepted: ['a', 'b'], acceptedIndexes: [0, 1], duplicates: [], rejected: [] });
    assert.deepEqual(await store.appendPlaytests([playtest('a'), playtest('c')]), { accepted: ['c'], acceptedIndexes: [1], duplicates: ['a'], rejected: [] });
    assert.deepEqual(await store.appendPlaytests([playtest('c')]), { accepted: [], acceptedIndexes: [], duplicates: ['c'], rejected: [] });
    assert.equal((await lines(dir, 'playtests.jsonl')).length, 3);
    await store.close();
    const again = await ProjectStore.open(dir);
    assert.deepEqual(await again.appendPlaytests([playtest('b')]), { accepted: [], acceptedIndexes: [], duplicates: ['b'], rejected: [] });
    assert.equal(again.playtests().length, 3);
  });
  it('rejects a known id with different content, and a repeated id within a batch', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('a'))}\n` });
    const store = await ProjectStore.open(dir);
    const r = await store.appendPlaytests([playtest('a', 'L1', 0), playtest('b'), playtest('b', 'L1', 0)]);
    assert.deepEqual(r.accepted, ['b']);
    assert.deepEqual(r.rejected.map((x) => [x.index, x.id, x.problems.map(formatProblem)]), [
      [0, 'a', ['id: "a" is already used by a different playtest (playtests.jsonl:1)']],
      [2, 'b', ['id: "b" is already used by a different playtest (record 1 of this batch)']],
    ]);
  });
  it('gives playtests without an id the next free pt-<n>', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('pt-2'))}\n` });
    const store = await ProjectStore.open(dir);
    const r = await store.appendPlaytests([playtest(undefined), playtest(undefined)]);
    assert.deepEqual(r.accepted, ['pt-3', 'pt-4']);
    assert.match((await lines(dir, 'playtests.jsonl'))[1]!, /^\{"id":"pt-3","levelId":"L1"/);
  });
  it('writes the valid records and reports the bad ones, or with allOrNothing writes nothing', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir);
    const bad = { levelId: 'L1', metrics: { won: 3 } };
    const all = await store.appendPlaytests([playtest('a'), bad], { allOrNothing: true });
    assert.deepEqual(all.accepted, []);
    assert.deepEqual(all.rejected.map((x) => [x.index, x.problems.map(formatProblem)]), [[1, ['metrics.won: must lie within [0, 1] for the rate metric "won" (got 3)']]]);
    assert.deepEqual(await lines(dir, 'playtests.jsonl'), []);
    const dry = await store.appendPlaytests([playtest('a')], { dryRun: true });
    assert.deepEqual(dry.accepted, ['a']);
    assert.deepEqual(await lines(dir, 'playtests.jsonl'), []);
    const some = await store.appendPlaytests([playtest('a'), bad]);
    assert.deepEqual(some.accepted, ['a']);
    assert.equal(some.rejected.length, 1);
    assert.equal(store.playtests().length, 1);
  });
  it('upserts levels: new and changed ones written, unchanged ones duplicates', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir);
    const r = await store.upsertLevels([{ id: 'L1', features: { area: 1200, chokepoints: 3 } }, { id: 'L2', features: { area: 900 } }, { id: 'L3' }, { id: 'L4', features: { chokepoints: 99 } }]);
    assert.deepEqual(r.accepted, ['L2', 'L3']);
    assert.deepEqual(r.duplicates, ['L1']);
    assert.deepEqual(r.rejected.map((x) => [x.index, x.id]), [[3, 'L4']]);
    assert.deepEqual(store.level('L2'), { id: 'L2', features: { area: 900 } });
    await store.close();
    assert.deepEqual((await ProjectStore.open(dir)).levels().map((l) => [l.id, l.features['area']]), [['L1', 1200], ['L2', 900], ['L3', undefined]]);
  });
  it('appends from appendPlaytests calls made at once land whole and in order', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendPlaytests([playtest(`p${i}`), playtest(`q${i}`)])));
    const ids = (await lines(dir, 'playtests.jsonl')).map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => [`p${i}`, `q${i}`]).flat());
  });
  it('sees what another writer appended before deciding duplicates', async () => {
    const dir = await makeProjectDir();
    const a = await ProjectStore.open(dir);
    const b = await ProjectStore.open(dir);
    await b.appendPlaytests([playtest('x')]);
    assert.deepEqual(await a.appendPlaytests([playtest('x'), playtest('y')]), { accepted: ['y'], acceptedIndexes: [1], duplicates: ['x'], rejected: [] });
    assert.deepEqual(a.playtests().map((p) => p.id), ['x', 'y']);
    assert.deepEqual(await lines(dir, 'playtests.jsonl').then((l) => l.length), 2);
  });
  it('a bad line appended by someone else is reported and blocks further writes', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir, { holdLock: true });
    await appendFile(path.join(dir, 'playtests.jsonl'), '{"levelId":"L1","metrics":{"won":7}}\n');
    for (let i = 0; i < 2; i++) {
      await assert.rejects(store.appendPlaytests([playtest('a')]), (e: unknown) => e instanceof InputError && formatProblem(e.problems[0]!) === 'playtests.jsonl:1: metrics.won: must lie within [0, 1] for the rate metric "won" (got 7)');
    }
    await store.close();
  });
  it('updateProject refuses a definition the stored data would violate, and replaces project.json otherwise', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('a'))}\n` });
    const store = await ProjectStore.open(dir);
    const narrower = exampleProjectFile();
    (narrower['params'] as Record<string, unknown>[])[0]!['min'] = 60;
    await assert.rejects(store.updateProject(narrower), (e: unknown) => e instanceof InputError && formatProblem(e.problems[0]!) === 'playtests.jsonl:1: params.enemyHealth: must lie within [60, 200] (got 50)');
    const wider = { ...exampleProjectFile(), name: 'renamed' };
    assert.equal((await store.updateProject(wider)).name, 'renamed');
    assert.equal(store.project.name, 'renamed');
    assert.equal((JSON.parse(await readFile(path.join(dir, 'project.json'), 'utf8')) as { name: string }).name, 'renamed');
  });
  it('playtests outside a range narrowed by hand are left out, and served again once updateProject widens it', async () => {
    const narrowed = exampleProjectFile();
    (narrowed['params'] as Record<string, unknown>[])[0]!['min'] = 60; // the playtests say enemyHealth 50
    const dir = await makeProjectDir({ project: narrowed, playtests: `${[playtest('a'), { ...playtest('b'), params: { enemyHealth: 70 } }, playtest('c', 'L2')].map((p) => JSON.stringify(p)).join('\n')}\n` });
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.playtests().map((p) => p.id), ['b']);
    assert.deepEqual(store.playtestsFor('L2'), []);
    assert.match(store.warnings[0]!, /^playtests\.jsonl: 2 playtests have param values outside the ranges in project\.json \(enemyHealth in 2\); .*: a, c \(first at line 1\)$/);
    await store.updateProject(exampleProjectFile());
    assert.deepEqual(store.playtests().map((p) => p.id), ['a', 'b', 'c']);
    assert.deepEqual(store.playtestsFor('L2').map((p) => p.id), ['c']);
    assert.deepEqual(store.warnings, []);
    await store.close();
  });
  it('a missing data file reads as empty and is created by the first append', async () => {
    const dir = await makeProjectDir();
    const { rm } = await import('node:fs/promises');
    await rm(path.join(dir, 'playtests.jsonl'));
    const store = await ProjectStore.open(dir);
    assert.equal(store.playtests().length, 0);
    await store.appendPlaytests([playtest('a')]);
    assert.equal((await lines(dir, 'playtests.jsonl')).length, 1);
  });
  it('a closed store refuses writes', async () => {
    const store = await ProjectStore.open(await makeProjectDir());
    await store.close();
    await assert.rejects(store.appendPlaytests([playtest('a')]), /closed/);
  });
  it('reports a playtest line repeated verbatim as a warning, counted once', async () => {
    const line = JSON.stringify(playtest('a'));
    const dir = await makeProjectDir({ playtests: `${line}\n${line}\n` });
    const store = await ProjectStore.open(dir);
    assert.equal(store.playtests().length, 1);
    assert.deepEqual(store.warnings, ['playtests.jsonl:2: repeats playtest "a" of line 1 (identical, counted once)']);
    await appendFile(path.join(dir, 'playtests.jsonl'), `${JSON.stringify(playtest('a', 'L1', 0))}\n`);
    assert.deepEqual(await openProblems(dir), ['playtests.jsonl:3: id: "a" is already used by a different playtest at line 1']);
  });
});
