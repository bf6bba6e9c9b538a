// Design targets per kind of player, measured on the sample game: each held-out level is balanced
// from its first K = 6 playtests for a novices' and an experts' win rate, and scored at the
// simulator's TRUE per-segment expected metrics. Two populations: the three bots (novices, average
// players and experts, 30 / 45 / 25 % of runs; a segment is one bot), and 50 named testers of five
// hidden types (typed-testers.ts; the project declares 60 % of each type's testers as its segment, the
// model has inputs of their own for the 12 most frequent only, and a segment's truth is every
// tester of that type, declared or not). Against the only thing a tool without segments can do:
// balance the population's win rate for the same targets averaged by the segments' shares. The
// oracle (the same search on the true per-segment metrics) shows how often the pair of targets can
// be met at all.
import { balanceLevel, levelBase, meetsTargets, targetTerms } from '../src/balance/index.js';
import { columnName, withSegments } from '../src/balance/segments.js';
import { adaptLevel, trainModel } from '../src/model/index.js';
import type { Project, Target } from '../src/project/types.js';
import { generateCorpus, pastCorpus, type SampleCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, variants, type GameVariant, type SampleLevel, type Tester } from '../samples/crypt-run/game.js';
import { functionPredictor } from '../test/support/function-predictor.js';
import { log, markdownTable, mean, meanSd, runWhenMain } from './report.js';

/** A design where a third of novices win and nearly every expert does; runs take about 7 minutes overall. */
const SEGMENT_WON = { novice: 0.35, expert: 0.95 } as const;
type Targeted = keyof typeof SEGMENT_WON;
const TARGETED = Object.keys(SEGMENT_WON) as Targeted[];
const TOLERANCE = 0.05;
const K = 6;
const METHODS = ['metabalance, segment targets', 'metabalance, population target at the share-weighted mean', 'oracle, segment targets'] as const;

interface Case {
  label: string;
  variant: GameVariant;
  testers: 'bots' | 'typed';
}

/** Who truly is of each targeted segment: the bot of that name, or every tester of that hidden type. */
function members(c: SampleCorpus, segment: Targeted): Tester[] {
  return c.population.filter((t) => (t.type === undefined ? t.name === `bot:${segment}` : t.type === segment));
}

function segmentProject(c: SampleCorpus): Project {
  const base = c.project;
  const duration = base.targets.find((t) => t.metric === 'durationSec')!;
  const segments = base.segments.length > 0 ? base.segments : TARGETED.map((g) => ({ name: g, testers: [`bot:${g}`] }));
  return {
    ...base,
    segments,
    targets: [duration, ...TARGETED.map((g): Target => ({ metric: 'won', segment: g, target: SEGMENT_WON[g], tolerance: TOLERANCE, weight: 1 }))],
  };
}

/** The population's win target a tool without segments would set: the segment targets averaged by the segments' shares of runs. */
function populationProject(c: SampleCorpus, segmented: Project): Project {
  const share = (g: Targeted): number => members(c, g).reduce((s, t) => s + t.share, 0);
  const total = TARGETED.reduce((s, g) => s + share(g), 0);
  const won = TARGETED.reduce((s, g) => s + (share(g) / total) * SEGMENT_WON[g], 0);
  return { ...segmented, targets: [...segmented.targets.filter((t) => t.segment === undefined), { metric: 'won', target: won, tolerance: TOLERANCE, weight: 1 }] };
}

/** The simulator's true metrics, per targeted segment too, as prediction columns. */
function truthColumns(c: SampleCorpus, level: SampleLevel, variant: GameVariant, params: Parameters<typeof expectedMetrics>[1]): Record<string, number> {
  const out: Record<string, number> = { ...expectedMetrics(level, params, variant, undefined, undefined, c.population) };
  for (const g of TARGETED) {
    const t = expectedMetrics(level, params, variant, undefined, undefined, members(c, g));
    for (const [m, v] of Object.entries(t)) out[columnName(m, g)] = v;
  }
  return out;
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const [standard, , attrition] = variants;
  const setup = opts.quick
    ? { cases: [{ label: 'standard', variant: standard!, testers: 'bots' }] as Case[], pastLevels: 60, per: 16, newLevels: 10, steps: 400 as number | undefined }
    : {
        cases: [
          { label: 'standard', variant: standard!, testers: 'bots' },
          { label: 'attrition', variant: attrition!, testers: 'bots' },
          { label: 'standard, 50 typed testers', variant: standard!, testers: 'typed' },
        ] as Case[],
        pastLevels: 120,
        per: 20,
        newLevels: 60,
        steps: undefined,
      };
  const rows: { variant: string; hits: Record<(typeof METHODS)[number], boolean[]> }[] = [];
  for (const { label, variant, testers } of setup.cases) {
    const seed = 1;
    const c = generateCorpus({ seed, variant, pastLevels: setup.pastLevels, playtestsPerPast: setup.per, newLevels: setup.newLevels, playtestsPerNew: K, testers });
    const project = segmentProject(c);
    const population = populationProject(c, project);
    const model = await trainModel({ ...pastCorpus(c), project }, { seed, ...(setup.steps ? { steps: setup.steps } : {}) });
    log(`  segments: ${label} trained`);
    const hits = Object.fromEntries(METHODS.map((m) => [m, [] as boolean[]])) as Record<(typeof METHODS)[number], boolean[]>;
    const columns = [...project.metrics.map((m) => m.name), ...TARGETED.flatMap((g) => project.metrics.map((m) => columnName(m.name, g)))];
    const scoreTerms = targetTerms(project, columns);
    for (const id of c.newLevelIds) {
      const level = c.levels.find((l) => l.id === id)!;
      const truth = c.truth.get(id)!;
      const playtests = c.playtests.filter((p) => p.levelId === id);
      const base = levelBase(project, playtests);
      const met = (params: Parameters<typeof expectedMetrics>[1]): boolean => {
        const t = truthColumns(c, truth, variant, params);
        return meetsTargets(scoreTerms, columns.map((col) => t[col]!));
      };
      for (const [method, p] of [
        [METHODS[0], project],
        [METHODS[1], population],
      ] as const) {
        const predictor = withSegments(model, p, adaptLevel(model, level, playtests));
        try {
          hits[method].push(met(balanceLevel(p, model.space, predictor, { base, seed }).params));
        } finally {
          predictor.dispose();
        }
      }
      const oracle = functionPredictor(model.space, { levelId: id, metrics: columns, fn: (params) => truthColumns(c, truth, variant, params) });
      hits[METHODS[2]].push(met(balanceLevel(project, model.space, oracle, { base, seed, stayNear: 0 }).params));
    }
    model.dispose();
    rows.push({ variant: label, hits });
  }
  const rate = (xs: readonly boolean[]): number => mean(xs.map(Number));
  return [
    `### Targets per segment (K = ${K}; every target met at the simulator's true per-segment metrics, % of ${setup.newLevels} held-out levels per variant)\n`,
    `Targets: novices win ${SEGMENT_WON.novice} ± ${TOLERANCE}, experts ${SEGMENT_WON.expert} ± ${TOLERANCE}, and the population's duration as in the sample project. ` +
      `The model was trained on ${setup.pastLevels} past levels × ${setup.per} playtests of each case (seed 1). The bots: a segment is one bot. ` +
      `The 50 typed testers (five hidden types of skill and play style): the project declares 60 % of each type's testers as its segment, ` +
      `the model has inputs of their own for the 12 most frequent testers only (the others share their segment's), undeclared testers count by their typed probabilities, ` +
      `and a segment's truth is every tester of that type.\n`,
    markdownTable(
      ['method', ...rows.map((r) => r.variant), 'mean ± sd'],
      METHODS.map((m) => [m, ...rows.map((r) => (100 * rate(r.hits[m])).toFixed(1)), meanSd(rows.map((r) => rate(r.hits[m])), 1, 100)]),
    ),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
