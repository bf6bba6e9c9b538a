// `npm run demo`: the README's main job on the committed sample project. Meta-train on every
// level's playtests, balance each new level from its few playtests, and check the answer against
// the sample game's TRUE expected metrics (which only the simulator knows), next to the defaults.
// Then the designer's loop once more: the simulator's bots play the balanced settings and the level
// is balanced again from all its playtests.
import path from 'node:path';
import { balanceLevel, levelBase, type BalanceResult } from '../src/balance/index.js';
import { meetsTargets, targetLoss, targetTerms } from '../src/balance/objective.js';
import { Progress } from '../src/cli/ml-common.js';
import { backendName, initBackend } from '../src/model/backend.js';
import { adaptLevel, trainModel } from '../src/model/index.js';
import { packageRoot } from '../src/project/paths.js';
import type { Level, ParamValue, ParamValues, Playtest, Project } from '../src/project/types.js';
import type { MetaModel } from '../src/model/index.js';
import { ProjectStore } from '../src/store/project-store.js';
import { botPlaytests, expectedMetrics, type GameVariant, type SampleLevel } from '../samples/crypt-run/game.js';
import { Rng } from '../src/util/rng.js';
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

/** Bot playtests per level in the second round (the sample game's simulator plays them). */
const ROUND_TWO = 10;

/**
 * The designer's loop, once: apply the balanced settings, let the bots play them ROUND_TWO times,
 * and balance again from every playtest (the project on disk is left as it is).
 */
function balanceAgain(model: MetaModel, level: Level, hidden: SampleLevel, variant: GameVariant, playtests: readonly Playtest[], applied: ParamValues): BalanceResult {
  const rng = new Rng(0).fork(`round-two:${level.id}`);
  const more = botPlaytests(hidden, level.id, Array.from({ length: ROUND_TWO }, () => applied), rng, variant);
  const predictor = adaptLevel(model, level, [...playtests, ...more]);
  try {
    return balanceLevel(model.project, model.space, predictor, { base: applied });
  } finally {
    predictor.dispose();
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
  const model = await trainModel(
    { project, levels: store.levels(), playtests: store.playtests() },
    {
      seed: 0,
      onProgress: (p) => bar.update(p.step, p.total, `training: step ${p.step}/${p.total} loss ${p.loss.toFixed(3)}${p.valLoss === null ? '' : ` val ${p.valLoss.toFixed(3)}`}`),
    },
  );
  bar.done();
  const trainS = (Date.now() - started) / 1000;

  const metrics = project.metrics.map((m) => m.name);
  const terms = targetTerms(project, metrics);
  const score = (values: Record<string, number>): { hit: boolean; loss: number } => {
    const row = metrics.map((m) => values[m]!);
    return { hit: meetsTargets(terms, row), loss: targetLoss(terms, row) };
  };
  type Score = { hit: boolean; loss: number };
  const rows: { id: string; k: number; balanced: Score; defaults: Score; again: Score; pMeet: number; ms: number }[] = [];
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
      const again = score(expectedMetrics(hidden, balanceAgain(model, level, hidden, truth.variant, playtests, r.params).params, truth.variant));
      rows.push({ id, k: playtests.length, balanced, defaults, again, pMeet: r.pMeet, ms });
      out.push(
        '',
        `## ${id} — ${playtests.length} playtests — targets truly met: ${balanced.hit ? 'YES' : 'no'} (defaults: ${defaults.hit ? 'yes' : 'no'}); ` +
          `model: meetsTargets ${r.meetsTargets}, pMeet ${r.pMeet.toFixed(2)}; ${ms.toFixed(0)} ms`,
        '',
        levelTable(project, r, base, trueBalanced, trueDefault),
        '',
        `Round two (${ROUND_TWO} bot playtests at the balanced settings, balanced again): targets truly met: ${again.hit ? 'YES' : 'no'}, true loss ${again.loss.toFixed(2)}.`,
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
        [`round two: after ${ROUND_TWO} bot playtests at the balanced settings, levels truly meeting every target`, hit(rows.map((r) => r.again.hit)), ''],
        ['round two: mean target loss (TRUE metrics)', mean(rows.map((r) => r.again.loss)).toFixed(2), ''],
        ['mean balance time per level (adapt + search)', `${mean(rows.map((r) => r.ms)).toFixed(0)} ms`, ''],
      ],
    ),
  );
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
