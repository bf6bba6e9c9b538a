// init, validate and import run in-process against real folders.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { exampleProjectFile, makeProjectDir, playtest } from '../project/fixtures.js';
import { captureIo } from './io.js';

async function run(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await runCli(argv, io);
  return { code, out: io.outLines, err: io.errLines };
}

describe('metabalance init', () => {
  it('creates a valid template project, and refuses to overwrite one', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'metabalance-cli-'));
    const created = await run(cwd, 'init', 'Balancing');
    assert.equal(created.code, 0, created.err.join('\n'));
    assert.deepEqual(created.out, [`created project "Balancing" in ${path.join(cwd, 'Balancing')}`]);
    assert.deepEqual((await readdir(path.join(cwd, 'Balancing'))).sort(), ['.gitignore', 'levels.jsonl', 'models', 'playtests.jsonl', 'project.json']);
    const store = await ProjectStore.open(path.join(cwd, 'Balancing'));
    assert.deepEqual(store.project.params.map((p) => p.type), ['float', 'float', 'int', 'bool', 'choice', 'int']);
    assert.deepEqual(store.project.metrics.map((m) => m.kind), ['rate', 'continuous', 'count']);
    const again = await run(cwd, 'init', 'Balancing');
    assert.equal(again.code, 2);
    assert.deepEqual(again.err, [`${path.join(cwd, 'Balancing', 'project.json')}: already exists: init does not overwrite a project`, 'metabalance init: 1 problem; nothing created']);
  });
  it('initializes an existing folder that holds no project', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'metabalance-cli-'));
    await writeFile(path.join(cwd, 'notes.txt'), 'mine');
    assert.equal((await run(cwd, 'init', '.', '--name', 'my game')).code, 0);
    assert.equal(JSON.parse(await readFile(path.join(cwd, 'project.json'), 'utf8')).name, 'my game');
  });
});

describe('metabalance validate', () => {
  it('summarizes a valid project on stdout', async () => {
    const dir = await makeProjectDir({ playtests: [playtest('a'), playtest('b'), playtest('c', 'L2')].map((p) => JSON.stringify(p)).join('\n') + '\n' });
    const r = await run(dir, 'validate', '--project', '.');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, ['ok: project "crypt-run": 4 params, 2 features, 3 metrics, 2 targets; 2 levels, 3 playtests (per level 1–2, median 2; 0 levels without playtests)']);
    assert.deepEqual(r.err, []);
    const j = await run(dir, 'validate', '--project', dir, '--json');
    assert.deepEqual(JSON.parse(j.out[0]!), { ok: true, project: 'crypt-run', params: 4, features: 2, metrics: 3, targets: 2, levels: 2, playtests: 3, playtestsPerLevel: { min: 1, median: 2, max: 2 }, levelsWithoutPlaytests: 0, repairs: [] });
  });
  it('lists every problem on stderr and exits 2', async () => {
    const lines = [JSON.stringify(playtest('a')), '{"levelId":"L1","params":{"enemyHealth":"lots"},"metrics":{"won":1}}', JSON.stringify(playtest('b', 'L9'))];
    const dir = await makeProjectDir({ playtests: `${lines.join('\n')}\n` });
    const r = await run(dir, 'validate', '--project', dir);
    assert.equal(r.code, 2);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.err, [
      'playtests.jsonl:2: params.enemyHealth: must be a number (got "lots")',
      'playtests.jsonl:3: levelId: unknown level "L9" (add it to levels.jsonl first)',
      'metabalance validate: 2 problems',
    ]);
  });
  it('caps a long problem list', async () => {
    const bad = '{"levelId":"L1","metrics":{"won":2}}\n'.repeat(70);
    const r = await run(await makeProjectDir({ playtests: bad }), 'validate', '--project', '.');
    assert.equal(r.code, 2);
    assert.equal(r.err.length, 52);
    assert.equal(r.err[50], '… and 20 more');
    assert.equal(r.err[51], 'metabalance validate: 70 problems');
  });
  it('playtests of levels that are not stored: one line with the count and the first ids', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify(playtest(`p${i}`, `M${i % 8}`)));
    const dir = await makeProjectDir({ playtests: `${[JSON.stringify(playtest('ok')), ...lines].join('\n')}\n` });
    const r = await run(dir, 'validate', '--project', dir);
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, [
      'playtests.jsonl:2: levelId: 40 playtests name levels that are not stored (8 level ids: "M0", "M1", "M2", "M3", "M4" and 3 more); add them to levels.jsonl first',
      'metabalance validate: 1 problem',
    ]);
  });
  it('a param range narrowed after playtests were recorded: those playtests are left out, with one warning', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => JSON.stringify({ ...playtest(`p${i}`), params: { enemyHealth: i < 100 ? 150 : 50, roomCount: 4 } }));
    const project = exampleProjectFile();
    (project['params'] as { name: string; max?: number }[])[0]!.max = 100; // enemyHealth was [20, 200]
    const dir = await makeProjectDir({ project, playtests: `${lines.join('\n')}\n` });
    const r = await run(dir, 'validate', '--project', dir);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.err, [
      'warning: playtests.jsonl: 100 playtests have param values outside the ranges in project.json (enemyHealth in 100); ' +
        'left out of training and balancing until the ranges include them again: p0, p1, p2, p3, p4 and 95 more (first at line 1)',
    ]);
    assert.match(r.out[0]!, /; 2 levels, 20 playtests /);
    const store = await ProjectStore.open(dir);
    try {
      assert.deepEqual(store.playtests().map((p) => p.id), Array.from({ length: 20 }, (_, i) => `p${100 + i}`));
      assert.equal(store.playtestsFor('L1').length, 20);
      // Kept by id: appending one again is still a duplicate, not a second copy.
      assert.deepEqual((await store.appendPlaytests([JSON.parse(lines[0]!)])).duplicates, ['p0']);
    } finally {
      await store.close();
    }
  });
  it('a mistyped param type in project.json is reported alone, with what was meant', async () => {
    const project = exampleProjectFile();
    (project['params'] as { type: string }[])[1]!.type = 'integer';
    const r = await run(await makeProjectDir({ project }), 'validate', '--project', '.');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, ['project.json: params[1].type: must be one of "float", "int", "bool", "choice" (got "integer"; did you mean "int"?)', 'metabalance validate: 1 problem']);
  });
  it('reports a repaired torn line on stderr', async () => {
    const dir = await makeProjectDir({ playtests: `${JSON.stringify(playtest('a'))}\n{"id":"b","lev` });
    const r = await run(dir, 'validate', '--project', '.');
    assert.equal(r.code, 0);
    assert.match(r.err[0]!, /^repaired: playtests\.jsonl:2: removed an incomplete last line/);
  });
  it('needs --project', async () => {
    const r = await run(tmpdir(), 'validate');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, ['metabalance validate: --project DIR is required', 'see: metabalance validate --help']);
  });
});

describe('metabalance import', () => {
  const header = 'levelId,param.enemyHealth,param.archetype,metric.won,metric.durationSec,tester,id';
  it('imports CSV playtests, and skips them as duplicates the second time', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'plays.csv'), `${header}\nL1,80,melee,1,400,"bot, the ""first""",p1\nL2,,ranged,0,,,p2\n`);
    const r = await run(dir, 'import', '--project', '.', 'plays.csv');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, ['imported 2 playtests from plays.csv; skipped 0 duplicates']);
    assert.deepEqual(r.err, ['imported: p1, p2']);
    const stored = (await ProjectStore.open(dir)).playtests();
    assert.deepEqual(stored[0], { id: 'p1', levelId: 'L1', params: { enemyHealth: 80, archetype: 'melee' }, metrics: { won: 1, durationSec: 400 }, tester: 'bot, the "first"' });
    const again = await run(dir, 'import', '--project', '.', 'plays.csv', '--json');
    assert.deepEqual(again.out.map((l) => JSON.parse(l)), [{ kind: 'playtests', file: 'plays.csv', imported: 0, duplicates: 2, warnings: 0 }]);
    assert.deepEqual(again.err, ['skipped as duplicates (already stored): p1, p2']);
  });
  it('imports nothing when any line is bad, naming each by CSV line and column', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'plays.csv'), `${header}\nL1,80,melee,1,400,,p1\nL1,lots,boss,1,400,,p2\nL9,50,melee,2,400,,p3\n`);
    const r = await run(dir, 'import', '--project', dir, 'plays.csv');
    assert.equal(r.code, 2);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.err, [
      'plays.csv:3: param.enemyHealth: must be a number (got "lots")',
      'plays.csv:3: param.archetype: is not a choice of "archetype": must be one of "melee", "ranged", "mixed" (got "boss")',
      'plays.csv:4: levelId: unknown level "L9" (add it to levels.jsonl first)',
      'plays.csv:4: metric.won: must lie within [0, 1] for the rate metric "won" (got 2)',
      'metabalance import: 4 problems; nothing imported from plays.csv',
    ]);
    assert.equal(await readFile(path.join(dir, 'playtests.jsonl'), 'utf8'), '');
  });
  it('imports JSONL levels (an upsert) and then playtests for them', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'new.jsonl'), '{"id":"L3","features":{"area":5}}\n{"id":"L1","features":{"area":1}}\n');
    const r = await run(dir, 'import', '--project', '.', 'new.jsonl');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, ['imported 2 levels from new.jsonl; skipped 0 duplicates']);
    await writeFile(path.join(dir, 'p.jsonl'), `${JSON.stringify(playtest('x', 'L3'))}\n${JSON.stringify(playtest(undefined, 'L3'))}`);
    assert.deepEqual((await run(dir, 'import', '--project', '.', 'p.jsonl')).out, ['imported 2 playtests from p.jsonl; skipped 0 duplicates']);
    const store = await ProjectStore.open(dir);
    assert.deepEqual(store.level('L1')?.features, { area: 1 });
    assert.deepEqual(store.playtestsFor('L3').map((p) => p.id), ['x', 'pt-1']);
  });
  it('names bad JSONL lines and imports none of the file', async () => {
    const dir = await makeProjectDir();
    await appendFile(path.join(dir, 'p.jsonl'), `${JSON.stringify(playtest('x'))}\n{oops}\n${JSON.stringify({ ...playtest('y'), extra: 1 })}\n`);
    const r = await run(dir, 'import', '--project', '.', 'p.jsonl');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, [
      "p.jsonl:2: invalid JSON: Expected property name or '}'",
      'p.jsonl:3: extra: unknown field (allowed: id, levelId, params, metrics, tester, at)',
      'metabalance import: 2 problems; nothing imported from p.jsonl',
    ]);
    assert.equal((await ProjectStore.open(dir)).playtests().length, 0);
  });
  it('CSV levels by header; --kind is checked', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'levels.csv'), 'id,feature.area,feature.chokepoints\nL5,100,\nL6,,11\n');
    const r = await run(dir, 'import', '--project', '.', 'levels.csv');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, ['levels.csv:3: feature.chokepoints: must lie within [0, 10] (got 11)', 'metabalance import: 1 problem; nothing imported from levels.csv']);
    assert.equal((await run(dir, 'import', '--project', '.', '--kind', 'rows', 'levels.csv')).code, 2);
  });
  it('playtests imported before their levels: one line with the count and the first level ids', async () => {
    const dir = await makeProjectDir();
    const rows = Array.from({ length: 195 }, (_, i) => `L${String(10 + (i % 20))},80,melee,1,400,,p${i}`);
    await writeFile(path.join(dir, 'plays.csv'), `${header}\nL1,80,melee,1,400,,first\n${rows.join('\n')}\nL1,lots,melee,1,400,,last\n`);
    const r = await run(dir, 'import', '--project', '.', 'plays.csv');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, [
      'plays.csv:3: levelId: 195 playtests name levels that are not stored (20 level ids: "L10", "L11", "L12", "L13", "L14" and 15 more); ' +
        'import the levels first (metabalance import --project . LEVELS-FILE)',
      'plays.csv:198: param.enemyHealth: must be a number (got "lots")',
      'metabalance import: 2 problems; nothing imported from plays.csv',
    ]);
  });
  it('an id used twice in one file: both named by file line', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'plays.csv'), `${header}\nL1,80,melee,1,400,,a\nL1,90,melee,1,400,,b\nL2,80,melee,0,300,,a\n`);
    const r = await run(dir, 'import', '--project', '.', 'plays.csv');
    assert.equal(r.code, 2);
    assert.deepEqual(r.err, ['plays.csv:4: id: "a" is already used by a different playtest (line 2 of this file)', 'metabalance import: 1 problem; nothing imported from plays.csv']);
  });
  it('a semicolon-separated CSV (a decimal-comma spreadsheet) is read as such; a decimal comma is named', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'plays.csv'), `${header.replaceAll(',', ';')}\nL1;80;melee;1;400;"bot; one";p1\nL2;85.5;ranged;0;;;p2\n`);
    const r = await run(dir, 'import', '--project', '.', 'plays.csv');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.err, ['plays.csv: reading it as semicolon-separated (from its header row)', 'imported: p1, p2']);
    assert.deepEqual((await ProjectStore.open(dir)).playtests()[0]?.tester, 'bot; one');
    await writeFile(path.join(dir, 'comma.csv'), `${header.replaceAll(',', ';')}\nL1;80,5;melee;1;400;;p3\n`);
    assert.deepEqual((await run(dir, 'import', '--project', '.', 'comma.csv')).err.slice(1), [
      'comma.csv:2: param.enemyHealth: must be a number (got "80,5"; numbers need a decimal point: 80.5)',
      'metabalance import: 1 problem; nothing imported from comma.csv',
    ]);
  });
  it('a mistyped column name: did you mean', async () => {
    const dir = await makeProjectDir();
    await writeFile(path.join(dir, 'plays.csv'), 'levelId,param.enemyhealth,metric.won\nL1,80,1\n');
    assert.deepEqual((await run(dir, 'import', '--project', '.', 'plays.csv')).err[0], 'plays.csv:1: param.enemyhealth: unknown param (did you mean param.enemyHealth?) (declared: enemyHealth, roomCount, bossEnabled, archetype)');
  });
  it('a FILE that is missing or a folder is bad input: exit 2 naming it', async () => {
    const dir = await makeProjectDir();
    assert.deepEqual(await run(dir, 'import', '--project', '.', 'nope.csv'), {
      code: 2,
      out: [],
      err: ['nope.csv: no such file', 'metabalance import: 1 problem; nothing imported'],
    });
    assert.deepEqual((await run(dir, 'import', '--project', '.', 'models')).err[0], 'models: is a folder, not a file');
  });
});

describe('metabalance import: implausible metric values', () => {
  it('imports them with a warning naming FILE:LINE: FIELD, and --strict refuses the whole file', async () => {
    const stored = Array.from({ length: 30 }, (_, i) => ({ ...playtest(`s${i}`), metrics: { won: i % 2, durationSec: 250 + 10 * i } }));
    const dir = await makeProjectDir({ playtests: stored.map((p) => JSON.stringify(p)).join('\n') + '\n' });
    const records = [
      { ...playtest('n1'), metrics: { won: 1, durationSec: 340 } },
      { ...playtest('n2'), metrics: { won: 0, durationSec: 341000 } }, // milliseconds
      { ...playtest('n3'), metrics: { won: 1, durationSec: 1e300 } },
    ];
    await writeFile(path.join(dir, 'plays.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const strict = await run(dir, 'import', '--project', '.', 'plays.jsonl', '--strict');
    assert.equal(strict.code, 2, strict.err.join('\n'));
    assert.match(strict.err.join('\n'), /plays\.jsonl:2: metrics\.durationSec: 341000 is far outside what the stored playtests show \(median 400/);
    assert.match(strict.err.join('\n'), /plays\.jsonl:3: metrics\.durationSec: 1e\+300 is larger than any game's metric/);
    assert.equal((await readFile(path.join(dir, 'playtests.jsonl'), 'utf8')).trim().split('\n').length, 30, 'nothing imported under --strict');

    const lenient = await run(dir, 'import', '--project', '.', 'plays.jsonl', '--json');
    assert.equal(lenient.code, 0, lenient.err.join('\n'));
    assert.deepEqual(JSON.parse(lenient.out[0]!), { kind: 'playtests', file: 'plays.jsonl', imported: 3, duplicates: 0, warnings: 2 });
    assert.equal(lenient.err.filter((l) => l.startsWith('warning: plays.jsonl:')).length, 2, lenient.err.join('\n'));
    assert.ok(!lenient.err.some((l) => l.includes('plays.jsonl:1:')), 'a plausible value is not flagged');
  });

  it('flags a magnitude no game produces even when nothing is stored to compare with', async () => {
    const dir = await makeProjectDir({ playtests: '' });
    const records = [
      { ...playtest('n1'), metrics: { won: 1, durationSec: 340 } },
      { ...playtest('n2'), metrics: { won: 1, durationSec: 1e300 } },
    ];
    await writeFile(path.join(dir, 'plays.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const result = await run(dir, 'import', '--project', '.', 'plays.jsonl', '--json');
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.deepEqual(
      result.err.filter((l) => l.startsWith('warning:')),
      [`warning: plays.jsonl:2: metrics.durationSec: 1e+300 is larger than any game's metric (more than 2^53 in magnitude): a typo or an overflow?; imported (training treats it as a gross error; --strict refuses it)`],
    );
  });
});
