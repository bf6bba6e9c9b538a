// What a level's unknown factors cost the balancer. The same balancer, on the same held-out levels
// from the same 6 playtests, is driven by metabalance's network (the level's hidden factors
// inferred as its context) and by the same network trained and adapted with every level's true
// hidden factors as features (nothing about a level left to infer), each on the sample's 120 past
// levels and on 16× as many trained 4× longer; the Bayes agent (the mechanics known, the factors
// inferred from the same playtests) is the reference. The corpus bench showed the network learns
// the mechanics from enough levels; this one shows whether the balancer then gets there.
import { levelBase } from '../src/balance/index.js';
import { BalancingService } from '../src/balance/service.js';
import { trainModel } from '../src/model/index.js';
import { paramSpace } from '../src/model/param-space.js';
import { Rng } from '../src/util/rng.js';
import { generateCorpus, pastCorpus, type SampleCorpus } from '../samples/crypt-run/corpus.js';
import { botPlaytests, variants } from '../samples/crypt-run/game.js';
import { agentChoice, hitRate, Judge, meanLoss, randomSettings, type Outcome } from './support/judge.js';
import { withKnownFactors } from './support/known-factors.js';
import { log, markdownTable, meanSd, runWhenMain } from './report.js';

const K = 6;

interface Arm {
  name: string;
  /** the corpus the network trains on and the held-out levels' records come from */
  corpus: (c: SampleCorpus) => SampleCorpus;
  levels: number;
  steps?: number;
  /** also balance each level after MORE further playtests at random settings (does the context represent the level, given the data?) */
  more?: boolean;
}

/** Further playtests per held-out level, each at its own random setting of the balance params. */
const MORE = 200;

export async function run(opts: { quick: boolean }): Promise<string> {
  const setup = opts.quick
    ? { variants: [variants[0]!], pastLevels: 40, more: 80, moreSteps: 600, per: 16, held: 6, steps: 300 as number | undefined }
    : { variants: [...variants], pastLevels: 120, more: 1920, moreSteps: 4000, per: 20, held: 40, steps: undefined };
  const seed = 1;
  const inferred = (c: SampleCorpus): SampleCorpus => c;
  const stepsNote = (steps: number | undefined): string => (steps ? `, ${steps} training steps` : '');
  const arms: Arm[] = [
    { name: `metabalance (factors inferred), ${setup.pastLevels} past levels${stepsNote(setup.steps)}`, corpus: inferred, levels: setup.pastLevels, steps: setup.steps, more: true },
    { name: `network, factors known, ${setup.pastLevels} past levels${stepsNote(setup.steps)}`, corpus: withKnownFactors, levels: setup.pastLevels, steps: setup.steps },
    { name: `metabalance (factors inferred), ${setup.more} past levels${stepsNote(setup.moreSteps)}`, corpus: inferred, levels: setup.more, steps: setup.moreSteps, more: true },
    { name: `network, factors known, ${setup.more} past levels${stepsNote(setup.moreSteps)}`, corpus: withKnownFactors, levels: setup.more, steps: setup.moreSteps },
  ];
  const AGENT = `Bayes agent (the mechanics known, the factors inferred from the ${K} playtests)`;
  const perVariant = new Map<string, Outcome[][]>();
  const add = (row: string, outcomes: Outcome[]): void => void perVariant.set(row, [...(perVariant.get(row) ?? []), outcomes]);

  for (const variant of setup.variants) {
    const corpusOf = (pastLevels: number): SampleCorpus => generateCorpus({ seed, variant, pastLevels, playtestsPerPast: setup.per, newLevels: setup.held, playtestsPerNew: K });
    const c = corpusOf(setup.pastLevels);
    const judge = new Judge(c.project, variant);
    const space = { project: c.project, space: paramSpace(c.project) };
    const held = c.newLevelIds.map((id) => {
      const playtests = c.playtests.filter((p) => p.levelId === id);
      const settings = randomSettings(space, levelBase(c.project, playtests), MORE, new Rng(seed).fork(`context:${id}`));
      return { id, playtests, more: botPlaytests(c.truth.get(id)!, id, settings, new Rng(seed).fork(`context-play:${id}`), variant) };
    });
    for (const arm of arms) {
      const corpus = arm.corpus(arm.levels === setup.pastLevels ? c : corpusOf(arm.levels));
      const model = await trainModel(pastCorpus(corpus), { seed, ...(arm.steps ? { steps: arm.steps } : {}) });
      const service = new BalancingService(model);
      try {
        const balanced = (extra: boolean): Outcome[] =>
          held.map(({ id, playtests, more }) => {
            const record = corpus.levels.find((l) => l.id === id)!;
            return judge.score(c.truth.get(id)!, service.balance({ level: record, playtests: extra ? [...playtests, ...more] : playtests }, { seed }).params);
          });
        add(arm.name, balanced(false));
        if (arm.more) add(`${arm.name}; from ${K} + ${MORE} playtests at random settings`, balanced(true));
      } finally {
        service.dispose();
        model.dispose();
      }
      log(`  context limit: ${variant.name}: ${arm.name} done`);
    }
    add(
      AGENT,
      held.map(({ id, playtests }) =>
        judge.score(
          c.truth.get(id)!,
          agentChoice(
            c.project,
            c.levels.find((l) => l.id === id)!,
            playtests,
            variant,
            levelBase(c.project, playtests),
            seed,
          ).params,
        ),
      ),
    );
    log(`  context limit: ${variant.name} done`);
  }
  const agent = perVariant.get(AGENT)!.map(hitRate);
  return [
    `### What a level's unknown factors cost the balancer (K = ${K}; hit rate % and mean target loss on ${setup.held} held-out levels per variant, mean ± sd over ${setup.variants.length} variants)\n`,
    `Seed ${seed}, ${setup.per} playtests per past level; every held-out level balanced from its first ${K} playtests (at or near the defaults) and scored at the simulator's true metrics. "Factors known": the same network and balancer, trained and adapted with every level's true hidden factors (log) as extra features. The ratio is each variant's hit rate over the Bayes agent's.\n`,
    markdownTable(
      ['balanced by', 'hit rate %', 'mean loss', 'hit rate / Bayes agent’s'],
      [...perVariant].map(([row, runs]) => {
        const hits = runs.map(hitRate);
        return [row, meanSd(hits, 1, 100), meanSd(runs.map(meanLoss)), ratio(hits, agent)];
      }),
    ),
  ].join('\n');
}

/** Mean ± sd over variants of a hit rate over the agent's (a variant where the agent met nothing has no ratio). */
function ratio(hits: readonly number[], agent: readonly number[]): string {
  const r = hits.flatMap((h, v) => (agent[v]! > 0 ? [h / agent[v]!] : []));
  return r.length === 0 ? '–' : meanSd(r);
}

runWhenMain(import.meta.url, run);
