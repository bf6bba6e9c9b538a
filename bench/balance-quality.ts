// Benchmark 10b: how well balancing works on levels the model never saw, scored at the sample
// game's TRUE expected metrics. For several seeds and game variants a corpus is generated in memory,
// the meta-model is trained on its past levels only, and every held-out new level is balanced from
// its first K playtests by metabalance and by the baselines. Reports mean ± sd over the runs.
import { balanceLevel, levelBase, suggestPlaytests, type BalanceResult } from '../src/balance/index.js';
import { functionPredictor } from '../test/support/function-predictor.js';
import { movesOf, snap } from '../src/balance/moves.js';
import { meetsTargets, targetLoss, targetTerms, type TargetTerm } from '../src/balance/targets.js';
import { lift } from '../src/balance/search.js';
import { adaptLevel, trainModel, type AdaptMethod, type LevelPredictor, type MetaModel } from '../src/model/index.js';
import type { Level, ParamValues, Playtest, Project } from '../src/project/types.js';
import { Rng } from '../src/util/rng.js';
import { agentBalance, levelPosterior } from '../samples/crypt-run/bayes-agent.js';
import { generateCorpus, pastCorpus, type SampleCorpus } from '../samples/crypt-run/corpus.js';
import { botPlaytests, expectedMetrics, variants, type GameVariant, type SampleLevel } from '../samples/crypt-run/game.js';
import { log, markdownTable, mean, meanSd, sd } from './report.js';
import { trainScratch } from './support/scratch.js';

export interface QualityOptions {
  quick: boolean;
}

interface Setup {
  seeds: number[];
  variants: GameVariant[];
  ks: number[];
  pastLevels: number;
  playtestsPerPast: number;
  newLevels: number;
  /** held-out levels in the suggest-vs-random comparison (the first newLevels of them are the same levels) */
  suggestLevels: number;
  /** the model from scratch trains once per level and K (seconds each): only the first this many levels */
  scratchLevels: number;
  steps: number | undefined;
}

function setupFor(quick: boolean): Setup {
  const ks = [2, 6, 10];
  // seeds 11–14 chose the balancer's defaults (search.ts): the tables use others
  return quick
    ? { seeds: [1], variants: [variants[0]!, variants[1]!], ks, pastLevels: 60, playtestsPerPast: 16, newLevels: 8, suggestLevels: 16, scratchLevels: 2, steps: 400 }
    : { seeds: [1], variants: [...variants], ks, pastLevels: 120, playtestsPerPast: 20, newLevels: 60, suggestLevels: 40, scratchLevels: 5, steps: undefined };
}

const SCRATCH = 'model from scratch';
const SAME_LEVELS = 'metabalance, same levels as scratch';
const POOLED = 'pooled (no adaptation)';
const OFFSETS = 'pooled + per-level offsets';
const PRIOR_ABLATION = 'ablation: meta-model at the prior context';
const OFFSETS_ABLATION = 'ablation: meta-model + per-level offsets';
/** The yardstick: what the same playtests allow (samples/crypt-run/bayes-agent.ts). */
const BAYES = 'Bayes agent (knows the game, not the level)';
const METHODS = ['metabalance', BAYES, 'defaults', POOLED, OFFSETS, SCRATCH, SAME_LEVELS, 'oracle', PRIOR_ABLATION, OFFSETS_ABLATION] as const;
type Method = (typeof METHODS)[number];
/**
 * The network each model-based method balances with, and how it adapts to the level. The pooled
 * baselines are the issue's: one network trained on every past playtest with no per-level term
 * (context size 0). The ablations put the baselines' adaptation on metabalance's meta-trained
 * network instead, to separate what the per-level context does in training from what it does at
 * balance time.
 */
const ADAPTED: Partial<Record<Method, { net: 'meta' | 'pooled'; adapt: AdaptMethod }>> = {
  metabalance: { net: 'meta', adapt: 'context' },
  [POOLED]: { net: 'pooled', adapt: 'none' },
  [OFFSETS]: { net: 'pooled', adapt: 'offsets' },
  [PRIOR_ABLATION]: { net: 'meta', adapt: 'none' },
  [OFFSETS_ABLATION]: { net: 'meta', adapt: 'offsets' },
};
/** What the bar compares metabalance against. */
const BASELINES: readonly Method[] = ['defaults', POOLED, OFFSETS, SCRATCH];

interface Outcome {
  hit: boolean;
  loss: number;
}

/** Per run (variant × seed): the outcome of every held-out level per method and K. */
interface RunResult {
  variant: string;
  seed: number;
  /** `${method}|${k}` → outcomes over the new levels */
  outcomes: Map<string, Outcome[]>;
  calibration: { pMeet: number; hit: boolean }[];
  /** per level: balanced from 3 playtests + 3 suggested vs + 3 random (same level, same playtest noise) */
  suggest: { suggested: Outcome; random: Outcome }[];
}

class Judge {
  readonly terms: TargetTerm[];
  readonly metrics: string[];
  constructor(
    readonly project: Project,
    readonly variant: GameVariant,
  ) {
    this.metrics = project.metrics.map((m) => m.name);
    this.terms = targetTerms(project, this.metrics);
  }
  /** Scores settings at the simulator's true expected metrics. */
  score(level: SampleLevel, params: ParamValues): Outcome {
    const truth = expectedMetrics(level, params, this.variant);
    const row = this.metrics.map((m) => truth[m]!);
    return { hit: meetsTargets(this.terms, row), loss: targetLoss(this.terms, row) };
  }
}

function balanceWith(model: MetaModel, predictor: LevelPredictor, base: ParamValues, seed: number): BalanceResult {
  try {
    return balanceLevel(model.project, model.space, predictor, { base, seed });
  } finally {
    predictor.dispose();
  }
}

function oracleParams(model: MetaModel, judge: Judge, level: Level, truth: SampleLevel, base: ParamValues, seed: number): ParamValues {
  const oracle = functionPredictor(model.space, {
    levelId: level.id,
    metrics: judge.metrics,
    fn: (params) => expectedMetrics(truth, params, judge.variant),
  });
  // the truth has no model error to stay clear of: the ceiling searches the targets alone
  return balanceLevel(model.project, model.space, oracle, { base, seed, proximity: 0 }).params;
}

/** Random settings of the balance params (generation params at the level's values). */
function randomSettings(model: MetaModel, base: ParamValues, count: number, rng: Rng): ParamValues[] {
  const moves = movesOf(model.project, model.space, { base });
  return Array.from({ length: count }, () => {
    const u = moves.movingDimIndex.map(() => rng.next());
    return snap(moves, lift(moves, moves.movingDimIndex, u)).values;
  });
}

async function runOne(setup: Setup, variant: GameVariant, seed: number): Promise<RunResult> {
  const corpus: SampleCorpus = generateCorpus({
    seed,
    variant,
    pastLevels: setup.pastLevels,
    playtestsPerPast: setup.playtestsPerPast,
    newLevels: Math.max(setup.newLevels, setup.suggestLevels),
    playtestsPerNew: Math.max(...setup.ks),
  });
  const training = pastCorpus(corpus);
  const steps = setup.steps === undefined ? {} : { steps: setup.steps };
  const started = Date.now();
  const nets = {
    meta: await trainModel(training, { seed, ...steps }),
    pooled: await trainModel(training, { seed, ...steps, config: { context: 0 } }),
  };
  const model = nets.meta;
  log(`  ${variant.name} seed ${seed}: meta-model and pooled model trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const judge = new Judge(corpus.project, variant);
  const result: RunResult = { variant: variant.name, seed, outcomes: new Map(), calibration: [], suggest: [] };
  const add = (key: string, o: Outcome): void => {
    result.outcomes.set(key, [...(result.outcomes.get(key) ?? []), o]);
  };
  try {
    for (const [levelIndex, id] of corpus.newLevelIds.entries()) {
      const withScratch = levelIndex < setup.scratchLevels;
      const level = corpus.levels.find((l) => l.id === id)!;
      const truth = corpus.truth.get(id)!;
      const all = corpus.playtests.filter((p) => p.levelId === id);
      const base = levelBase(corpus.project, all);
      if (levelIndex < setup.suggestLevels) result.suggest.push(suggestVsRandom(model, judge, level, truth, all.slice(0, 3), base, seed));
      if (levelIndex >= setup.newLevels) continue;
      const oracle = judge.score(truth, oracleParams(model, judge, level, truth, base, seed));
      for (const k of setup.ks) {
        const few = all.slice(0, k);
        for (const method of METHODS) {
          const adapt = ADAPTED[method];
          if (method === SAME_LEVELS) continue;
          if (method === 'oracle') {
            add(`${method}|${k}`, oracle);
          } else if (method === 'defaults') {
            add(`${method}|${k}`, judge.score(truth, base));
          } else if (method === BAYES) {
            const posterior = levelPosterior(level, few, variant, { seed });
            add(`${method}|${k}`, judge.score(truth, agentBalance(corpus.project, posterior, variant, { base, seed }).params));
          } else if (adapt !== undefined) {
            const net = nets[adapt.net];
            const r = balanceWith(net, adaptLevel(net, level, few, { method: adapt.adapt }), base, seed);
            const o = judge.score(truth, r.params);
            add(`${method}|${k}`, o);
            if (method === 'metabalance') {
              result.calibration.push({ pMeet: r.pMeet, hit: o.hit });
              if (withScratch) add(`${SAME_LEVELS}|${k}`, o);
            }
          } else if (withScratch) {
            add(`${method}|${k}`, judge.score(truth, balanceWith(model, trainScratch(model, level, few, { seed }), base, seed).params));
          }
        }
      }
    }
  } finally {
    nets.meta.dispose();
    nets.pooled.dispose();
  }
  return result;
}

/**
 * 3 playtests, then 3 more at the suggested or at random settings, then balance from all 6. Both
 * arms play the same level with the same playtest-noise stream, so their difference is paired.
 */
function suggestVsRandom(
  model: MetaModel,
  judge: Judge,
  level: Level,
  truth: SampleLevel,
  first: Playtest[],
  base: ParamValues,
  seed: number,
): { suggested: Outcome; random: Outcome } {
  const adapted = adaptLevel(model, level, first);
  const suggested = suggestPlaytests(model.project, model.space, adapted, { count: 3, seed, base }).map((s) => s.params);
  adapted.dispose();
  const random = randomSettings(model, base, 3, new Rng(seed).fork(`random-${level.id}`));
  const outcome = (settings: ParamValues[]): Outcome => {
    const six = [...first, ...botPlaytests(truth, level.id, settings, new Rng(seed).fork(`play-${level.id}`), judge.variant)];
    return judge.score(truth, balanceWith(model, adaptLevel(model, level, six), base, seed).params);
  };
  return { suggested: outcome(suggested), random: outcome(random) };
}

const hitRate = (os: readonly Outcome[]): number => mean(os.map((o) => (o.hit ? 1 : 0)));
/** metabalance's hit rate over the Bayes agent's in one run (0 when neither hits anything) */
const share = (r: RunResult, k: number): number => {
  const agent = hitRate(r.outcomes.get(`${BAYES}|${k}`) ?? []);
  return agent > 0 ? hitRate(r.outcomes.get(`metabalance|${k}`) ?? []) / agent : 0;
};
const meanLoss = (os: readonly Outcome[]): number => mean(os.map((o) => o.loss));

export async function run(opts: QualityOptions): Promise<string> {
  const setup = setupFor(opts.quick);
  const runs: RunResult[] = [];
  for (const variant of setup.variants) {
    for (const seed of setup.seeds) runs.push(await runOne(setup, variant, seed));
  }
  return report(setup, runs);
}

function report(setup: Setup, runs: RunResult[]): string {
  const per = (key: string, f: (os: readonly Outcome[]) => number, subset = runs): number[] => subset.map((r) => f(r.outcomes.get(key) ?? []));
  const kHeader = setup.ks.map((k) => `K = ${k}`);
  const table = (f: (os: readonly Outcome[]) => number, digits: number, scale: number): string =>
    markdownTable(
      ['method', ...kHeader],
      METHODS.map((m) => [m, ...setup.ks.map((k) => meanSd(per(`${m}|${k}`, f), digits, scale))]),
    );
  const out: string[] = [];
  out.push('## Balancing quality on held-out levels (sample game)');
  out.push(
    `Variants ${setup.variants.map((v) => v.name).join(', ')} × seeds ${setup.seeds.join(', ')} (${runs.length} runs). ` +
      `Each run: a fresh corpus of ${setup.pastLevels} past levels × ${setup.playtestsPerPast} playtests (the training set) and ` +
      `${setup.newLevels} held-out new levels; each new level is balanced from its first K playtests and scored at the ` +
      `simulator's TRUE expected metrics. Mean ± sd over runs. Oracle: the same search on the true metrics. ` +
      `The Bayes agent knows the simulator and the priors of a level's hidden factors, not their values: from the same K ` +
      `playtests it balances on the exact posterior (what the playtests allow). ` +
      `The model from scratch (trained on the K playtests alone, seconds per level) runs on the first ${setup.scratchLevels} levels of each run; ` +
      `"${SAME_LEVELS}" is metabalance on exactly those levels. The pooled model is a second network trained on the same ` +
      `past playtests with no per-level context; the ablations give the pooled baselines' adaptation metabalance's own ` +
      `meta-trained network (they are not baselines: they show how much of the gain comes from training with a context).`,
  );
  out.push('\n### Hit rate (% of new levels meeting every target)\n');
  out.push(table(hitRate, 1, 100));
  out.push(
    `\nmetabalance's hit rate as a share of the Bayes agent's, from the same playtests (mean ± sd over runs): ` +
      setup.ks.map((k) => `K = ${k}: ${meanSd(runs.map((r) => share(r, k)), 2, 1)}`).join('; ') + '.',
  );
  out.push('\n### Mean target loss Σ w·((true − target)/tolerance)² (lower is better)\n');
  out.push(table(meanLoss, 2, 1));

  out.push('\n### Per variant, K = 6 (hit rate % / mean loss, mean over seeds)\n');
  out.push(
    markdownTable(
      ['method', ...setup.variants.map((v) => v.name)],
      METHODS.map((m) => [
        m,
        ...setup.variants.map((v) => {
          const sub = runs.filter((r) => r.variant === v.name);
          const key = `${m}|6`;
          return `${(mean(per(key, hitRate, sub)) * 100).toFixed(1)} / ${mean(per(key, meanLoss, sub)).toFixed(2)}`;
        }),
      ]),
    ),
  );

  const cal = runs.flatMap((r) => r.calibration);
  out.push('\n### Calibration of pMeet (metabalance, all K pooled)\n');
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
  out.push(
    markdownTable(
      ['pMeet bin', 'levels', 'mean pMeet', 'share truly meeting targets'],
      bins.slice(0, -1).map((lo, i) => {
        const inBin = cal.filter((c) => c.pMeet >= lo && c.pMeet < bins[i + 1]!);
        return [
          `${lo.toFixed(1)}–${Math.min(1, bins[i + 1]!).toFixed(1)}`,
          inBin.length,
          inBin.length ? mean(inBin.map((c) => c.pMeet)).toFixed(2) : '–',
          inBin.length ? mean(inBin.map((c) => (c.hit ? 1 : 0))).toFixed(2) : '–',
        ];
      }),
    ),
  );

  out.push(`\n### Suggest vs random (${setup.suggestLevels} held-out levels per run: 3 playtests, then 3 more chosen by \`suggest\` or at random, balanced from all 6)\n`);
  const pairs = runs.flatMap((r) => r.suggest);
  out.push(
    markdownTable(
      ['next 3 playtests', 'hit rate % (mean ± sd over runs)', 'mean loss (mean ± sd over runs)'],
      (['suggested', 'random'] as const).map((how) => [
        how,
        meanSd(runs.map((r) => hitRate(r.suggest.map((p) => p[how]))), 1, 100),
        meanSd(runs.map((r) => meanLoss(r.suggest.map((p) => p[how]))), 2, 1),
      ]),
    ),
  );
  out.push('\n' + pairedLine(pairs));
  out.push(`\n### metabalance − each other method, paired over the same ${runs.length * setup.newLevels} levels (mean ± 95 % interval)\n`);
  out.push(pairedTable(setup, runs));
  out.push('\n' + verdict(setup, per));
  return out.join('\n');
}

/** Where metabalance does not beat a baseline (the bar), in numbers. */
function verdict(setup: Setup, per: (key: string, f: (os: readonly Outcome[]) => number) => number[]): string {
  const losses: string[] = [];
  for (const k of setup.ks) {
    for (const m of BASELINES) {
      const ours = m === SCRATCH ? SAME_LEVELS : 'metabalance';
      const mh = mean(per(`${ours}|${k}`, hitRate));
      const ml = mean(per(`${ours}|${k}`, meanLoss));
      const bh = mean(per(`${m}|${k}`, hitRate));
      const bl = mean(per(`${m}|${k}`, meanLoss));
      if (bh >= mh) losses.push(`K = ${k}: hit rate ${(mh * 100).toFixed(1)} % vs ${m} ${(bh * 100).toFixed(1)} %`);
      if (bl <= ml) losses.push(`K = ${k}: mean loss ${ml.toFixed(2)} vs ${m} ${bl.toFixed(2)}`);
    }
  }
  return losses.length === 0
    ? '**Verdict:** metabalance beats every baseline on hit rate and mean loss at every K.'
    : `**Verdict:** metabalance does NOT beat every baseline: ${losses.join('; ')}.`;
}

/** Per baseline and K: metabalance's hit rate and loss minus the baseline's on the same levels. */
function pairedTable(setup: Setup, runs: readonly RunResult[]): string {
  const baselines = METHODS.filter((m) => m !== 'metabalance' && m !== SCRATCH && m !== SAME_LEVELS);
  const outcomes = (m: Method, k: number): Outcome[] => runs.flatMap((r) => r.outcomes.get(`${m}|${k}`) ?? []);
  return markdownTable(
    ['compared with', ...setup.ks.flatMap((k) => [`hit rate, points (K = ${k})`, `loss (K = ${k})`])],
    baselines.map((m) => [
      m,
      ...setup.ks.flatMap((k) => {
        const ours = outcomes('metabalance', k);
        const theirs = outcomes(m, k);
        return [
          interval(ours.map((o, i) => Number(o.hit) - Number(theirs[i]!.hit)), 1, 100),
          interval(ours.map((o, i) => o.loss - theirs[i]!.loss), 2, 1),
        ];
      }),
    ]),
  );
}

/** mean ± 1.96·sd/√n (normal approximation) */
function interval(ds: readonly number[], digits: number, scale: number): string {
  return `${(mean(ds) * scale).toFixed(digits)} ± ${((1.96 * sd(ds) * scale) / Math.sqrt(ds.length)).toFixed(digits)}`;
}

/** The paired difference suggested − random over every level of every run, with a 95 % interval (normal approximation). */
function pairedLine(pairs: readonly { suggested: Outcome; random: Outcome }[]): string {
  const dHit = pairs.map((p) => Number(p.suggested.hit) - Number(p.random.hit));
  const dLoss = pairs.map((p) => p.suggested.loss - p.random.loss);
  const better = dLoss.filter((d) => d < 0).length;
  return (
    `suggest vs random, paired over ${pairs.length} levels (suggested − random, mean ± 95 % interval): ` +
    `hit rate ${interval(dHit, 1, 100)} points, true loss ${interval(dLoss, 2, 1)}; suggested lower loss on ${better} of ${pairs.length} levels.`
  );
}
