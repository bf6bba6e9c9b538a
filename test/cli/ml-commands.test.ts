// train → balance → suggest end to end through the real executable on a small generated project.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeSampleProject } from '../../samples/crypt-run/generate.js';
import { levelBase, predictAt } from '../../src/balance/index.js';
import { adaptLevel, initBackend } from '../../src/model/index.js';
import { loadLatestModel } from '../../src/store/model-store.js';
import type { ParamValues, Project } from '../../src/project/types.js';
import { ProjectStore } from '../../src/store/project-store.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const sampleRunner = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples/crypt-run/runner.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd?: string, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd, timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let dir: string;
let empty: string;
let paramNames: string[];
let metricNames: string[];
let project: Project;

before(async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mb-ml-cli-'));
  dir = path.join(root, 'project');
  empty = path.join(root, 'untrained');
  const corpus = await writeSampleProject(dir, { seed: 3, pastLevels: 24, playtestsPerPast: 9, newLevels: 3, playtestsPerNew: 3 });
  await writeSampleProject(empty, { seed: 4, pastLevels: 3, playtestsPerPast: 3, newLevels: 1, playtestsPerNew: 1 });
  project = corpus.project;
  paramNames = corpus.project.params.map((p) => p.name);
  metricNames = corpus.project.metrics.map((m) => m.name);
});

after(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

/**
 * The latest model's pMeet for a stored level at each of `settings` and at the level's current
 * settings, computed in this process through the library (adapt, then predict), not by the CLI.
 */
async function modelPMeet(levelId: string, settings: readonly Partial<ParamValues>[]): Promise<{ at: number[]; current: number }> {
  await initBackend();
  const store = await ProjectStore.open(dir);
  try {
    const model = await loadLatestModel(dir, store.project);
    assert.ok(model, 'a trained model');
    const playtests = store.playtestsFor(levelId);
    const predictor = adaptLevel(model, store.level(levelId)!, playtests);
    try {
      const pMeet = (params: Partial<ParamValues>): number => predictAt(store.project, model.space, predictor, params).pMeet;
      return { at: settings.map(pMeet), current: pMeet(levelBase(store.project, playtests)) };
    } finally {
      predictor.dispose();
      model.dispose();
    }
  } finally {
    await store.close();
  }
}

test('an unknown level is exit 2 before any work (no model needed to find out)', async () => {
  const r = await cli(['balance', '--project', empty, '--level', 'NOPE', '--json']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /unknown level "NOPE"/);
  const s = await cli(['suggest', '--project', empty, '--level', 'NOPE', '--json']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /unknown level "NOPE"/);
  // A known level without a trained model is a different failure: exit 1, saying what to do.
  const known = await cli(['balance', '--project', empty, '--level', 'N001']);
  assert.equal(known.code, 1);
  assert.match(known.stderr, /metabalance train --project/);
  const lock = await cli(['balance', '--project', empty, '--level', 'N001', '--lock', 'nonsense']);
  assert.equal(lock.code, 2);
  assert.match(lock.stderr, /unknown param "nonsense"/);
  const typo = await cli(['balance', '--project', empty, '--level', 'n001', '--lock', 'enemyhealth']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--lock: unknown param "enemyhealth" \(did you mean "enemyHealth"\?\)/);
  assert.match(typo.stderr, /--level: unknown level "n001" \(did you mean "N001"\?\)/);
});

test('train → balance --json → suggest --json', async () => {
  const t = await cli(['train', '--project', dir, '--steps', '30', '--seed', '1', '--json']);
  assert.equal(t.code, 0, t.stderr);
  const [trained, ...extra] = jsonLines(t.stdout);
  assert.equal(extra.length, 0, 'one JSON line');
  assert.equal(typeof trained!.modelId, 'string');
  assert.match(String(trained!.backend), /^(tensorflow|wasm|cpu)$/);
  assert.match(t.stderr, /backend (tensorflow|wasm|cpu)/);

  const b = await cli(['balance', '--project', dir, '--level', 'N001', '--level', 'N002', '--json']);
  assert.equal(b.code, 0, b.stderr);
  const results = jsonLines(b.stdout);
  assert.deepEqual(results.map((r) => r.levelId), ['N001', 'N002']);
  for (const r of results) {
    const params = r.params as Record<string, unknown>;
    assert.deepEqual(Object.keys(params).sort(), [...paramNames].sort());
    // New levels were playtested at the generation defaults: without --allow-generation they stay.
    assert.equal(params.roomCount, 8);
    assert.equal(params.archetype, 'mixed');
    const predicted = r.predicted as Record<string, { mean: number; std: number }>;
    assert.deepEqual(Object.keys(predicted).sort(), [...metricNames].sort());
    for (const p of Object.values(predicted)) {
      assert.ok(Number.isFinite(p.mean) && Number.isFinite(p.std) && p.std >= 0);
    }
    assert.equal(typeof r.meetsTargets, 'boolean');
    assert.equal(r.playtestCount, 3);
    // pMeet is the model's for the params recommended, and never below leaving the level as it is
    const model = await modelPMeet(String(r.levelId), [params as ParamValues]);
    assert.ok(Math.abs((r.pMeet as number) - model.at[0]!) < 1e-6, `${String(r.levelId)}: pMeet ${String(r.pMeet)}, the model says ${model.at[0]} at those params`);
    assert.ok((r.pMeet as number) >= model.current - 1e-6, `${String(r.levelId)}: pMeet ${String(r.pMeet)} below ${model.current} at the current settings`);
  }

  const locked = await cli(['balance', '--project', dir, '--level', 'N001', '--json', '--lock', 'enemyHealth', '--allow-generation', '--seed', '2']);
  assert.equal(locked.code, 0, locked.stderr);
  assert.equal((jsonLines(locked.stdout)[0]!.params as Record<string, unknown>).enemyHealth, 80);

  // --stay-near: a huge weight keeps the level's current settings (N001 was playtested at the defaults)
  const still = await cli(['balance', '--project', dir, '--level', 'N001', '--json', '--stay-near', '1e6']);
  assert.equal(still.code, 0, still.stderr);
  const kept = jsonLines(still.stdout)[0]!.params as Record<string, unknown>;
  for (const q of project.params) {
    if (q.type === 'float' || q.type === 'int') assert.ok(Math.abs((kept[q.name] as number) - q.default) <= 0.01 * (q.max - q.min), `${q.name} ${String(kept[q.name])}`);
    else assert.equal(kept[q.name], q.default, q.name);
  }
  const negative = await cli(['balance', '--project', dir, '--level', 'N001', '--stay-near', '-1']);
  assert.equal(negative.code, 2);
  assert.match(negative.stderr, /--stay-near must be at least 0/);

  const human = await cli(['balance', '--project', dir, '--level', 'N003']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /level N003 \(3 playtests\)/);
  assert.match(human.stdout, /pMeet 0\.\d\d/);
  assert.match(human.stdout, /enemyHealth/);

  const s = await cli(['suggest', '--project', dir, '--level', 'N001', '--count', '2', '--json']);
  assert.equal(s.code, 0, s.stderr);
  const suggestions = jsonLines(s.stdout);
  assert.equal(suggestions.length, 2);
  const model = await modelPMeet('N001', suggestions.map((x) => x.params as ParamValues));
  suggestions.forEach((x, i) => {
    assert.equal(x.levelId, 'N001');
    assert.deepEqual(Object.keys(x.params as object).sort(), [...paramNames].sort());
    assert.equal(typeof x.reason, 'string');
    assert.ok(Math.abs((x.pMeet as number) - model.at[i]!) < 1e-6, `suggestion ${i}: pMeet ${String(x.pMeet)}, the model says ${model.at[i]} at its params`);
  });
  assert.notDeepEqual(suggestions[0]!.params, suggestions[1]!.params);

  const bad = await cli(['suggest', '--project', dir, '--level', 'N001', '--count', '0']);
  assert.equal(bad.code, 2);
});

test('loop plays suggested settings with the runner, stores each, rebalances per round; failed and refused runs are reported, not stored', async () => {
  const storedFor = async (id: string): Promise<number> =>
    (await readFile(path.join(dir, 'playtests.jsonl'), 'utf8')).split('\n').filter((l) => l.includes(`"levelId":"${id}"`)).length;
  const level = 'N001';
  const before = await storedFor(level);
  const runner = `"${process.execPath}" "${sampleRunner}" "${dir}"`;
  const r = await cli(['loop', '--project', dir, '--level', level, '--runner', runner, '--rounds', '2', '--batch', '2', '--until-pmeet', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rounds = jsonLines(r.stdout);
  assert.deepEqual(rounds.map((x) => [x.round, x.stored, x.failed, x.playtestCount]), [
    [1, 2, 0, before + 2],
    [2, 2, 0, before + 4],
  ]);
  assert.equal(await storedFor(level), before + 4, 'every stored run is in playtests.jsonl');
  assert.match(r.stderr, /N001 round 2\/2: 2 playtests stored, \d+ in all; balanced pMeet/);

  const failing = await cli(['loop', '--project', dir, '--level', level, '--runner', 'echo oops >&2; exit 3', '--rounds', '1', '--batch', '2', '--until-pmeet', '1', '--json']);
  assert.equal(failing.code, 0, failing.stderr);
  assert.match(failing.stderr, /round 1 run 1: failed \(exit status 3: oops\); not stored/);
  assert.deepEqual(jsonLines(failing.stdout).map((x) => [x.stored, x.failed]), [[0, 2]]);

  const refused = await cli(['loop', '--project', dir, '--level', level, '--runner', `echo '{"metrics":{"won":7}}'`, '--rounds', '1', '--batch', '1', '--until-pmeet', '1', '--json']);
  assert.equal(refused.code, 0, refused.stderr);
  assert.match(refused.stderr, /the runner's answer was refused \(.*won/);
  assert.equal(await storedFor(level), before + 4, 'nothing stored from failed or refused runs');

  const usage = await cli(['loop', '--project', dir, '--level', level]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--runner CMD is required/);
});

test('train says when it stopped early, at which step, and which step\'s weights it keeps', async () => {
  // Enough levels with 10+ playtests for a validation set; small enough to overfit, so the
  // validation NLL stops improving and training ends well before the default 1000 steps.
  const small = path.join(path.dirname(dir), 'overfits');
  await writeSampleProject(small, { seed: 3, pastLevels: 30, playtestsPerPast: 12, newLevels: 1, playtestsPerNew: 3 });
  const t = await cli(['train', '--project', small], undefined, 300_000);
  assert.equal(t.code, 0, t.stderr);
  const bar = /stopped early at step (\d+) \(best validation at step (\d+)\)$/m.exec(t.stderr);
  assert.ok(bar, `the progress ends saying it stopped early:\n${t.stderr.slice(-300)}`);
  const [stopped, best] = [Number(bar[1]), Number(bar[2])];
  assert.ok(best < stopped && stopped < 1000, `best ${best}, stopped ${stopped}`);
  // The summary never shows the step count alone beside a different best step.
  assert.match(t.stdout, new RegExp(`: joint, stopped early at step ${stopped} of 1000, seed 0,`));
  assert.match(t.stdout, new RegExp(`\\n  validation NLL -?[\\d.]+ \\(lower is better\\) at step ${best}, the best, whose weights the model keeps; scored on 3 held-out levels`));

  const help = await cli(['train', '--help']);
  assert.match(help.stdout, /the validation NLL is their\nmean negative log-likelihood per playtest/);
  assert.match(help.stdout, /can go\nbelow zero/);
});
