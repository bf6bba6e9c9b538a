// Where metabalance's predictions fall short of what a level's playtests allow: from the same K
// playtests of a held-out level, the error of metabalance's predicted expected metrics against the
// simulator's truth, beside the error of the Bayes agent's posterior mean (it knows the game's
// mechanics and the priors of the level's hidden factors, not their values), at the level's own
// settings (where its playtests were played) and at random settings of the balance params (where
// a recommendation may go). Also each one's own predicted spread there: an error far above the
// spread is an overconfident prediction. Errors and spreads in target tolerances. A last case
// plays a level at random settings and scores other random settings: whether the error away from
// the played settings is the inference's (it falls when the playtests cover the space) or the
// shared network's (it does not). Beside both, the same network trained and asked with every
// level's true hidden factors as extra features: what the network makes of the corpus when nothing
// about a level is left to infer.
import { levelBase, targetTerms } from '../src/balance/index.js';
import type { TargetTerm } from '../src/balance/targets.js';
import { adaptLevel, trainModel, type MetaModel } from '../src/model/index.js';
import type { Level, ParamValues, Playtest } from '../src/project/types.js';
import { resolveParams } from '../src/project/validate.js';
import { Rng } from '../src/util/rng.js';
import { generateCorpus, pastCorpus } from '../samples/crypt-run/corpus.js';
import { botPlaytests, expectedMetrics, variants, type GameVariant, type SampleLevel } from '../samples/crypt-run/game.js';
import { randomSettings } from './support/judge.js';
import { withKnownFactors } from './support/known-factors.js';
import { agentAt } from './support/agent-at.js';
import { log, markdownTable, mean, meanSd, runWhenMain } from './report.js';

const WHERE = ['the level’s own settings', 'random settings', 'other random settings, played at random settings'] as const;
type Where = (typeof WHERE)[number];
const RANDOM_SETTINGS = 3;
/** playtests per setting when a level is played at random settings */
const PER_SETTING = 3;

/** Per target: squared errors and predicted variances, in tolerances², for one method at one K and place. */
interface Tally {
  se: number[][];
  variance: number[][];
}

const tally = (terms: readonly TargetTerm[]): Tally => ({ se: terms.map(() => []), variance: terms.map(() => []) });

/** metabalance's mode and draws' variance per target at each setting. */
function metabalanceAt(model: MetaModel, level: Level, playtests: readonly Playtest[], settings: readonly ParamValues[], terms: readonly TargetTerm[]): { mean: number[]; variance: number[] }[] {
  const predictor = adaptLevel(model, level, playtests);
  try {
    const x = new Float32Array(settings.length * model.space.dim);
    settings.forEach((s, i) => x.set(model.space.encode(s), i * model.space.dim));
    const p = predictor.predict(x, settings.length, { draws: true });
    const M = predictor.metrics.length;
    const S = predictor.samples;
    return settings.map((_, i) => {
      const draws = terms.map((t) => Array.from({ length: S }, (_, d) => p.draws![(i * S + d) * M + t.index]!));
      return { mean: terms.map((t) => p.mode[i * M + t.index]!), variance: draws.map((ds) => mean(ds.map((v) => v * v)) - mean(ds) ** 2) };
    });
  } finally {
    predictor.dispose();
  }
}

type Method = 'metabalance' | 'known' | 'agent';
const METHODS: readonly Method[] = ['metabalance', 'known', 'agent'];

/** One held-out level's case: what the methods see and the truth they are scored against. */
interface LevelCase {
  model: MetaModel;
  record: Level;
  /** the network trained with the hidden factors as features, and the level's record with them */
  known: MetaModel;
  knownRecord: Level;
  truth: SampleLevel;
  playtests: readonly Playtest[];
  variant: GameVariant;
  terms: readonly TargetTerm[];
  metrics: readonly string[];
}

/** Adds each method's squared errors and variances at each place's settings to its tally. */
function scoreLevel(tallyOf: (where: Where, method: Method) => Tally, c: LevelCase, places: readonly [Where, ParamValues[]][]): void {
  const all = places.flatMap(([, s]) => s);
  const preds = {
    metabalance: metabalanceAt(c.model, c.record, c.playtests, all, c.terms),
    known: metabalanceAt(c.known, c.knownRecord, c.playtests, all, c.terms),
    agent: agentAt(
      c.record,
      c.playtests,
      c.variant,
      all,
      c.terms.map((t) => c.metrics[t.index]!),
    ),
  };
  let at = 0;
  for (const [where, settings] of places) {
    settings.forEach((s, i) => {
      const true_ = expectedMetrics(c.truth, s, c.variant);
      for (const method of METHODS) {
        const p = preds[method][at + i]!;
        const t = tallyOf(where, method);
        c.terms.forEach((term, j) => {
          t.se[j]!.push(((p.mean[j]! - true_[c.metrics[term.index]!]!) / term.tolerance) ** 2);
          t.variance[j]!.push(p.variance[j]! / term.tolerance ** 2);
        });
      }
    });
    at += settings.length;
  }
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const setup = opts.quick
    ? { variants: [variants[0]!], pastLevels: 60, per: 16, levels: 6, ks: [2, 6], steps: 300 as number | undefined, spread: { levels: 3, k: 12 } }
    : { variants: [...variants], pastLevels: 120, per: 20, levels: 40, ks: [2, 6, 30], steps: undefined, spread: { levels: 20, k: 60 } };
  const seed = 1;
  // per variant, K, place and method
  const runs: { variant: string; k: number; where: Where; method: Method; t: Tally }[] = [];
  const tallies =
    (variant: string, k: number, terms: readonly TargetTerm[]) =>
    (where: Where, method: Method): Tally => {
      const found = runs.find((r) => r.variant === variant && r.k === k && r.where === where && r.method === method);
      if (found) return found.t;
      const t = tally(terms);
      runs.push({ variant, k, where, method, t });
      return t;
    };
  let names: string[] = [];
  for (const variant of setup.variants) {
    const c = generateCorpus({ seed, variant, pastLevels: setup.pastLevels, playtestsPerPast: setup.per, newLevels: setup.levels, playtestsPerNew: Math.max(...setup.ks) });
    const trainOpts = { seed, ...(setup.steps ? { steps: setup.steps } : {}) };
    const model = await trainModel(pastCorpus(c), trainOpts);
    const knownCorpus = withKnownFactors(c);
    const known = await trainModel(pastCorpus(knownCorpus), trainOpts);
    log(`  prediction gap: ${variant.name} trained`);
    const metrics = c.project.metrics.map((m) => m.name);
    const terms = targetTerms(c.project, metrics);
    names = terms.map((t) => metrics[t.index]!);
    const levelCase = (id: string, playtests: readonly Playtest[]): LevelCase => ({
      model,
      record: c.levels.find((l) => l.id === id)!,
      known,
      knownRecord: knownCorpus.levels.find((l) => l.id === id)!,
      truth: c.truth.get(id)!,
      playtests,
      variant,
      terms,
      metrics,
    });
    for (const k of setup.ks) {
      const tallyOf = tallies(variant.name, k, terms);
      for (const id of c.newLevelIds) {
        const playtests = c.playtests.filter((p) => p.levelId === id).slice(0, k);
        const own = [...new Map(playtests.map((p) => resolveParams(c.project, p.params)).map((s) => [JSON.stringify(s), s])).values()];
        const random = randomSettings(model, levelBase(c.project, playtests), RANDOM_SETTINGS, new Rng(seed).fork(`gap:${id}:${k}`));
        scoreLevel(tallyOf, levelCase(id, playtests), [
          [WHERE[0], own],
          [WHERE[1], random],
        ]);
      }
    }
    const tallyOf = tallies(variant.name, setup.spread.k, terms);
    const base = resolveParams(c.project);
    for (const id of c.newLevelIds.slice(0, setup.spread.levels)) {
      const rng = new Rng(seed).fork(`gap-spread:${id}`);
      const played = randomSettings(model, base, setup.spread.k / PER_SETTING, rng.fork('played'));
      const playtests = botPlaytests(
        c.truth.get(id)!,
        id,
        played.flatMap((s) => Array<ParamValues>(PER_SETTING).fill(s)),
        rng.fork('play'),
        variant,
      );
      scoreLevel(tallyOf, levelCase(id, playtests), [[WHERE[2], randomSettings(model, base, RANDOM_SETTINGS, rng.fork('scored'))]]);
    }
    model.dispose();
    known.dispose();
  }
  /** the root of a mean of squares: of the errors an RMSE, of the variances an RMS sd */
  const rmse = (xs: readonly number[]): number => Math.sqrt(mean(xs));
  const cases: [number, Where][] = [...setup.ks.flatMap((k) => [WHERE[0], WHERE[1]].map((w): [number, Where] => [k, w])), [setup.spread.k, WHERE[2]]];
  const rows = cases.map(([k, where]) => {
    const of = (method: Method) => runs.filter((r) => r.k === k && r.where === where && r.method === method);
    const meta = of('metabalance');
    const agent = of('agent');
    const errorAndSd = (rs: readonly { t: Tally }[], j: number): string => `${meanSd(rs.map((r) => rmse(r.t.se[j]!)))} (${meanSd(rs.map((r) => rmse(r.t.variance[j]!)))})`;
    return [`K = ${k}, ${where}`, ...names.flatMap((_, j) => [errorAndSd(meta, j), errorAndSd(of('known'), j), errorAndSd(agent, j), meanSd(meta.map((r, v) => rmse(r.t.se[j]!) / rmse(agent[v]!.t.se[j]!)))])];
  });
  return [
    `### Where the gap to the Bayes agent is: prediction error from K playtests (RMSE of the expected metric vs the truth, in tolerances; in brackets the method's own predicted sd, RMS; mean ± sd over ${setup.variants.length} variants, ${setup.levels} held-out levels each)\n`,
    `Corpora as in the balancing tables (seed ${seed}, ${setup.pastLevels} past levels × ${setup.per} playtests). "The level's own settings": each distinct setting among its K playtests; "random settings": ${RANDOM_SETTINGS} per level, balance params uniform in their ranges, generation params at the level's. The last row plays ${setup.spread.levels} levels per variant ${setup.spread.k} times at ${setup.spread.k / PER_SETTING} random settings (${PER_SETTING} playtests each, generation params at the defaults) and scores ${RANDOM_SETTINGS} other random settings. The Bayes agent's prediction is its posterior mean of the expected metric (the same playtests, the game's mechanics known). "Network, factors known": the same network trained and adapted with every level's true hidden factors (log) as extra features, so nothing about a level is left to infer.\n`,
    markdownTable(['K, where', ...names.flatMap((n) => [`${n}: metabalance`, `${n}: network, factors known`, `${n}: Bayes agent`, `${n}: ratio`])], rows),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
