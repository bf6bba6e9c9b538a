// What a corpus lets a generic network learn about the win rate. The prediction-gap bench found
// that the network, even told every level's hidden factors, predicts the win rate at random
// settings worse than the Bayes agent does from 6 playtests. Here that network (the won metric
// alone, factors known) is trained on the same past levels while the corpus changes in one respect
// at a time: its outcomes (pass/fail as played, or noise-free: each playtest's win replaced by the
// simulator's expected win rate at its setting), its settings (the designer-shaped sessions, or
// each playtest at its own uniformly random setting, generation params included, played again),
// and its size. Every network is scored on the same held-out levels, adapted on their first 6
// playtests, at the same random settings of the balance params.
import { levelBase } from '../src/balance/index.js';
import { adaptLevel, trainModel, type MetaModel } from '../src/model/index.js';
import { paramSpace } from '../src/model/param-space.js';
import type { Level, ParamValues, Playtest } from '../src/project/types.js';
import { resolveParams } from '../src/project/validate.js';
import { Rng } from '../src/util/rng.js';
import { generateCorpus, pastCorpus, type SampleCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, simulatePlaytest, variants, type GameVariant } from '../samples/crypt-run/game.js';
import { randomSettings } from './support/judge.js';
import { agentAt } from './support/agent-at.js';
import { withKnownFactors } from './support/known-factors.js';
import { log, markdownTable, mean, meanSd, runWhenMain } from './report.js';

const METRIC = 'won';
const K = 6;
const RANDOM_SETTINGS = 3;

/** The corpus with the win as its only metric and target. */
function wonOnly(c: SampleCorpus): SampleCorpus {
  const project = { ...c.project, metrics: c.project.metrics.filter((m) => m.name === METRIC), targets: c.project.targets.filter((t) => t.metric === METRIC) };
  return { ...c, project, playtests: c.playtests.map((p) => ({ ...p, metrics: { [METRIC]: p.metrics[METRIC]! } })) };
}

/** Past playtests changed by `f`; the new levels' playtests stay as played. */
function mapPast(c: SampleCorpus, f: (p: Playtest) => Playtest): SampleCorpus {
  const past = new Set(c.pastLevelIds);
  return { ...c, playtests: c.playtests.map((p) => (past.has(p.levelId) ? f(p) : p)) };
}

/** Each past playtest's outcome replaced by the simulator's expected value at its setting. */
const noiseFree = (c: SampleCorpus, variant: GameVariant): SampleCorpus => mapPast(c, (p) => ({ ...p, metrics: { [METRIC]: expectedMetrics(c.truth.get(p.levelId)!, resolveParams(c.project, p.params), variant)[METRIC]! } }));

/** Each past playtest played again at its own uniformly random setting of every param. */
function uniformSettings(c: SampleCorpus, space: Pick<MetaModel, 'project' | 'space'>, variant: GameVariant, seed: number): SampleCorpus {
  const defaults = resolveParams(c.project);
  const rng = new Rng(seed).fork('uniform-settings');
  return mapPast(c, (p) => {
    const params = randomSettings(space, defaults, 1, rng, true)[0]!;
    const played = simulatePlaytest(c.truth.get(p.levelId)!, params, rng, variant);
    return { ...p, params, tester: played.tester, metrics: { [METRIC]: played.metrics[METRIC]! } };
  });
}

interface Held {
  record: Level;
  playtests: Playtest[];
  settings: ParamValues[];
  truth: number[];
}

/** A network's win-rate error (tolerances) over the held-out levels' random settings. */
function networkErrors(model: MetaModel, known: SampleCorpus, held: readonly Held[], tolerance: number): number[] {
  return held.flatMap((h) => {
    const record = known.levels.find((l) => l.id === h.record.id)!;
    const predictor = adaptLevel(model, record, h.playtests);
    try {
      const x = new Float32Array(h.settings.length * model.space.dim);
      h.settings.forEach((s, i) => x.set(model.space.encode(s), i * model.space.dim));
      const { mode } = predictor.predict(x, h.settings.length, {});
      const M = predictor.metrics.length;
      const at = predictor.metrics.indexOf(METRIC);
      return h.settings.map((_, i) => (mode[i * M + at]! - h.truth[i]!) / tolerance);
    } finally {
      predictor.dispose();
    }
  });
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const more: { levels: number; steps?: number }[] = opts.quick ? [{ levels: 80 }, { levels: 80, steps: 600 }] : [{ levels: 480 }, { levels: 1920 }, { levels: 1920, steps: 4000 }];
  const setup = opts.quick ? { variants: [variants[0]!], pastLevels: 40, per: 16, levels: 6, more, steps: 300 as number | undefined } : { variants: [...variants], pastLevels: 120, per: 20, levels: 40, more, steps: undefined };
  const seed = 1;
  const trainOpts = { seed, ...(setup.steps ? { steps: setup.steps } : {}) };
  const rows = new Map<string, number[]>();
  const add = (row: string, errors: readonly number[]): void => {
    rows.set(row, [...(rows.get(row) ?? []), Math.sqrt(mean(errors.map((e) => e * e)))]);
  };
  const AGENT = `Bayes agent from the ${K} playtests (the mechanics known)`;
  const SHIPPED = 'metabalance as shipped (every metric; factors inferred)';
  const cell = (outcomes: string, settings: string, levels = setup.pastLevels, steps?: number): string => `${outcomes}, ${settings}, ${levels} past levels${steps ? `, ${steps} training steps` : ''}`;
  for (const variant of setup.variants) {
    const corpusOf = (pastLevels: number): SampleCorpus => generateCorpus({ seed, variant, pastLevels, playtestsPerPast: setup.per, newLevels: setup.levels, playtestsPerNew: K });
    const c = corpusOf(setup.pastLevels);
    const space = { project: c.project, space: paramSpace(c.project) };
    const tolerance = c.project.targets.find((t) => t.metric === METRIC)!.tolerance;
    const held: Held[] = c.newLevelIds.map((id) => {
      const playtests = c.playtests.filter((p) => p.levelId === id);
      const settings = randomSettings(space, levelBase(c.project, playtests), RANDOM_SETTINGS, new Rng(seed).fork(`limit:${id}`));
      return { record: c.levels.find((l) => l.id === id)!, playtests, settings, truth: settings.map((s) => expectedMetrics(c.truth.get(id)!, s, variant)[METRIC]!) };
    });
    const score = async (row: string, corpus: SampleCorpus, known: SampleCorpus, steps?: number): Promise<void> => {
      const model = await trainModel(pastCorpus(corpus), steps ? { ...trainOpts, steps } : trainOpts);
      try {
        add(row, networkErrors(model, known, held, tolerance));
      } finally {
        model.dispose();
      }
    };
    await score(SHIPPED, c, c);
    const known = wonOnly(withKnownFactors(c));
    const uniform = uniformSettings(known, space, variant, seed);
    await score(cell('pass/fail', 'designer’s settings'), known, known);
    await score(cell('noise-free', 'designer’s settings'), noiseFree(known, variant), known);
    await score(cell('pass/fail', 'uniform settings'), uniform, known);
    await score(cell('noise-free', 'uniform settings'), noiseFree(uniform, variant), known);
    for (const { levels, steps } of setup.more) await score(cell('pass/fail', 'designer’s settings', levels, steps), wonOnly(withKnownFactors(corpusOf(levels))), known, steps);
    add(
      AGENT,
      held.flatMap((h) => agentAt(h.record, h.playtests, variant, h.settings, [METRIC]).map((p, i) => (p.mean[0]! - h.truth[i]!) / tolerance)),
    );
    log(`  corpus limit: ${variant.name} done`);
  }
  const agent = rows.get(AGENT)!;
  return [
    `### What the corpus lets the network learn: win-rate error at random settings (RMSE of the expected win rate vs the truth, in tolerances; mean ± sd over ${setup.variants.length} variants, ${setup.levels} held-out levels × ${RANDOM_SETTINGS} random settings each)\n`,
    `Seed ${seed}, ${setup.per} playtests per past level. Every row but the first and the last is a network for the win rate alone, trained and adapted with every level's true hidden factors (log) as features. "Noise-free": each past playtest's win replaced by the simulator's expected win rate at its setting; "uniform settings": each past playtest played again at its own uniformly random setting of every param, instead of the designer-shaped sessions (a few settings per level, 3 bots each, most params at or near their defaults). Training: ${setup.steps ?? 'the default'} steps unless a row says. Held-out levels adapt on their first ${K} playtests (at or near the defaults); random settings: balance params uniform in their ranges, generation params at the level's.\n`,
    markdownTable(
      ['corpus', 'win-rate error', 'ratio to the Bayes agent'],
      [...rows].map(([row, errors]) => [row, meanSd(errors), meanSd(errors.map((e, v) => e / agent[v]!))]),
    ),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
