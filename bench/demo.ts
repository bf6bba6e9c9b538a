// `npm run demo`: the README's main job on the committed sample project. Meta-train on every
// level's playtests, balance each new level from its few playtests, and check the answer against
// the sample game's TRUE expected metrics (which only the simulator knows), next to the defaults.
// Then the designer's loop, closed by `metabalance loop` on a copy of the project: each round the
// sample game's runner plays the suggested settings, the playtests are stored, and every level is
// balanced again; the table shows the true hit rate round by round.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { command as loopCommand } from '../src/cli/commands/loop.js';
import type { CliIo } from '../src/cli/command.js';
import { balanceLevel, levelBase, type BalanceResult } from '../src/balance/index.js';
import { meetsTargets, targetLoss, targetTerms } from '../src/balance/targets.js';
import { Progress } from '../src/cli/ml-common.js';
import { backendName, initBackend } from '../src/model/backend.js';
import { adaptLevel, trainResumable } from '../src/model/index.js';
import { saveModel } from '../src/store/model-store.js';
import { packageRoot } from '../src/project/paths.js';
import type { ParamValue, ParamValues, Project } from '../src/project/types.js';
import type { TrainedModel } from '../src/model/index.js';
import { ProjectStore } from '../src/store/project-store.js';
import { expectedMetrics } from '../samples/crypt-run/game.js';
import { readTruth } from '../samples/crypt-run/truth.js';
import { log, markdownTable, mean } from './report.js';

const fmt = (v: ParamValue | number | undefined, digits = 2): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : String(v);

function levelTable(project: Project, r: BalanceResult, base: ParamValues, trueBalanced: Record<string, number>, trueDefault: Record<string, number>): string {
  const params = markdownTable(
    ['param', 'group', 'balanced', 'default'],
    project.params.map((p) => [p.name, p.group, fmt(r.params[p.name]), fmt(base[p.name])]),
  );
  const targets = new Map(project.targets.map((t) => [t.metric, t]));
  const metrics = markdownTable(
    ['metric', 'target', 'predicted (balanced)', 'TRUE (balanced)', 'TRUE (defaults)'],
    project.metrics.map((m) => {
      const t = targets.get(m.name);
      const pred = r.predicted[m.name]!;
      return [
        m.name,
        t ? `${fmt(t.target)} ± ${fmt(t.tolerance)}` : '–',
        `${fmt(pred.mean, 3)} ± ${fmt(pred.std, 3)}`,
        fmt(trueBalanced[m.name], 3),
        fmt(trueDefault[m.name], 3),
      ];
    }),
  );
  return `${params}\n\n${metrics}`;
}

/** Rounds of the closed loop, and settings the runner plays per level and round. */
const ROUNDS = 3;
const BATCH = 3;

/**
 * `metabalance loop` on every new level of a copy of the project (the committed sample is left as
 * it is), with the sample game's runner: the balanced params of every level after every round.
 */
async function closedLoop(dir: string, trained: TrainedModel, levelIds: readonly string[]): Promise<Map<string, ParamValues[]>> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'metabalance-demo-'));
  try {
    await cp(dir, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}models`) && !src.includes('.metabalance') });
    await saveModel(trained, copy);
    const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'crypt-run', 'runner.js');
    const lines: string[] = [];
    const io: CliIo = {
      out: (line) => void lines.push(line),
      err: (line) => void process.stderr.write(`${line}\n`),
      stdout: process.stdout,
      stderr: process.stderr,
      stderrIsTTY: false,
      cwd: copy,
      signal: new AbortController().signal,
    };
    const args = ['--project', copy, ...levelIds.flatMap((id) => ['--level', id]), '--runner', `"${process.execPath}" "${runner}" "${copy}"`];
    const code = await loopCommand.run([...args, '--rounds', String(ROUNDS), '--batch', String(BATCH), '--until-pmeet', '1', '--json'], io);
    if (code !== 0) throw new Error(`metabalance loop exited with ${code}`);
    const byLevel = new Map<string, ParamValues[]>();
    for (const line of lines) {
      const r = JSON.parse(line) as { levelId: string; params: ParamValues };
      byLevel.set(r.levelId, [...(byLevel.get(r.levelId) ?? []), r.params]);
    }
    return byLevel;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = path.join(packageRoot(), 'samples', 'crypt-run', 'project');
  await initBackend();
  const store = await ProjectStore.open(dir);
  const truth = await readTruth(dir);
  const project = store.project;
  log(`demo: ${store.levels().length} levels, ${store.playtests().length} playtests; backend ${backendName()}`);

  const bar = new Progress(process.stderr, Boolean(process.stderr.isTTY));
  const started = Date.now();
  const trained = await trainResumable(
    { project, levels: store.levels(), playtests: store.playtests() },
    {
      seed: 0,
      onProgress: (p) => bar.update(p.step, p.total, `training: step ${p.step}/${p.total} loss ${p.loss.toFixed(3)}${p.valLoss === null ? '' : ` val ${p.valLoss.toFixed(3)}`}`),
    },
  );
  bar.done();
  const model = trained.model;
  const trainS = (Date.now() - started) / 1000;

  const metrics = project.metrics.map((m) => m.name);
  const terms = targetTerms(project, metrics);
  const score = (values: Record<string, number>): { hit: boolean; loss: number } => {
    const row = metrics.map((m) => values[m]!);
    return { hit: meetsTargets(terms, row), loss: targetLoss(terms, row) };
  };
  type Score = { hit: boolean; loss: number };
  const rounds: Score[][] = [];
  const rows: { id: string; k: number; balanced: Score; defaults: Score; pMeet: number; ms: number }[] = [];
  const out: string[] = [
    '# metabalance demo: the sample game (crypt-run)',
    '',
    `Meta-trained on ${store.levels().length} levels / ${store.playtests().length} playtests in ${trainS.toFixed(1)} s ` +
      `(${model.info.algorithm}, ${model.info.steps} steps, backend ${model.info.backend}). Each new level is balanced from its own few playtests; ` +
      `"TRUE" is the simulator's exact expected value at those params (the tool never sees it).`,
  ];
  try {
    for (const id of truth.newLevelIds) {
      const level = store.level(id);
      const hidden = truth.levels.get(id);
      if (!level || !hidden) throw new Error(`truth.json names level ${id}, which the project does not have`);
      const playtests = store.playtestsFor(id);
      const base = levelBase(project, playtests);
      const t0 = performance.now();
      const predictor = adaptLevel(model, level, playtests);
      let r: BalanceResult;
      try {
        r = balanceLevel(project, model.space, predictor, { base });
      } finally {
        predictor.dispose();
      }
      const ms = performance.now() - t0;
      const trueBalanced = expectedMetrics(hidden, r.params, truth.variant);
      const trueDefault = expectedMetrics(hidden, base, truth.variant);
      const balanced = score(trueBalanced);
      const defaults = score(trueDefault);
      rows.push({ id, k: playtests.length, balanced, defaults, pMeet: r.pMeet, ms });
      out.push(
        '',
        `## ${id} — ${playtests.length} playtests — targets truly met: ${balanced.hit ? 'YES' : 'no'} (defaults: ${defaults.hit ? 'yes' : 'no'}); ` +
          `model: meetsTargets ${r.meetsTargets}, pMeet ${r.pMeet.toFixed(2)}; ${ms.toFixed(0)} ms`,
        '',
        levelTable(project, r, base, trueBalanced, trueDefault),
      );
    }
    log(`demo: the closed loop, ${ROUNDS} rounds × ${BATCH} playtests per level (metabalance loop with the sample game's runner)`);
    const looped = await closedLoop(dir, trained, truth.newLevelIds);
    for (let round = 1; round <= ROUNDS; round++) {
      rounds.push(
        truth.newLevelIds.map((id) => {
          const params = looped.get(id)?.[round - 1];
          if (!params) throw new Error(`metabalance loop gave no round ${round} for ${id}`);
          return score(expectedMetrics(truth.levels.get(id)!, params, truth.variant));
        }),
      );
    }
  } finally {
    model.dispose();
    await store.close();
  }
  const hit = (xs: boolean[]): string => `${xs.filter(Boolean).length}/${xs.length} (${((100 * xs.filter(Boolean).length) / xs.length).toFixed(0)} %)`;
  out.push(
    '',
    '## Summary',
    '',
    markdownTable(
      ['', 'balanced by metabalance', 'defaults'],
      [
        ['levels truly meeting every target', hit(rows.map((r) => r.balanced.hit)), hit(rows.map((r) => r.defaults.hit))],
        ['mean target loss (TRUE metrics)', mean(rows.map((r) => r.balanced.loss)).toFixed(2), mean(rows.map((r) => r.defaults.loss)).toFixed(2)],
        ['mean pMeet (the model’s own estimate of the hit rate)', mean(rows.map((r) => r.pMeet)).toFixed(2), ''],
        ['mean balance time per level (adapt + search)', `${mean(rows.map((r) => r.ms)).toFixed(0)} ms`, ''],
      ],
    ),
    '',
    `## The closed loop: \`metabalance loop\`, ${BATCH} suggested settings played per level and round by the sample game's runner, then balanced again`,
    '',
    markdownTable(
      ['after round', 'playtests per level (added)', 'levels truly meeting every target', 'mean target loss (TRUE metrics)'],
      [
        ['0 (the first playtests only)', '0', hit(rows.map((r) => r.balanced.hit)), mean(rows.map((r) => r.balanced.loss)).toFixed(2)],
        ...rounds.map((scores, i) => [String(i + 1), String((i + 1) * BATCH), hit(scores.map((x) => x.hit)), mean(scores.map((x) => x.loss)).toFixed(2)]),
      ],
    ),
  );
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
