// Design targets per kind of player, measured on the sample game (its bots are novices, average
// players and experts, 30 / 45 / 25 % of runs): each held-out level is balanced from its first
// K = 6 playtests for a novices' and an experts' win rate, and scored at the simulator's TRUE
// per-segment expected metrics. Against the only thing a tool without segments can do: balance the
// population's win rate for the same targets averaged by the segments' shares. The oracle (the same
// search on the true per-segment metrics) shows how often the pair of targets can be met at all.
import { balanceLevel, levelBase, meetsTargets, targetTerms } from '../src/balance/index.js';
import { columnName, withSegments } from '../src/balance/segments.js';
import { adaptLevel, trainModel } from '../src/model/index.js';
import type { Project, Target } from '../src/project/types.js';
import { generateCorpus, pastCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, testers, variants, type GameVariant, type SampleLevel } from '../samples/crypt-run/game.js';
import { functionPredictor } from '../test/support/function-predictor.js';
import { log, markdownTable, mean, meanSd, runWhenMain } from './report.js';

const SEGMENTS = [
  { name: 'novice', testers: ['bot:novice'] },
  { name: 'expert', testers: ['bot:expert'] },
];
/** A design where a third of novices win and nearly every expert does; runs take about 7 minutes overall. */
const SEGMENT_WON = { novice: 0.35, expert: 0.95 } as const;
const TOLERANCE = 0.05;
const K = 6;
const METHODS = ['metabalance, segment targets', 'metabalance, population target at the share-weighted mean', 'oracle, segment targets'] as const;

function segmentProject(base: Project): Project {
  const duration = base.targets.find((t) => t.metric === 'durationSec')!;
  return {
    ...base,
    segments: SEGMENTS,
    targets: [duration, ...SEGMENTS.map((g): Target => ({ metric: 'won', segment: g.name, target: SEGMENT_WON[g.name as keyof typeof SEGMENT_WON], tolerance: TOLERANCE, weight: 1 }))],
  };
}

/** The population's win target a tool without segments would set: the segment targets averaged by the segments' shares of runs. */
function populationProject(segmented: Project): Project {
  const share = (g: (typeof SEGMENTS)[number]): number => testers.filter((t) => g.testers.includes(t.name)).reduce((s, t) => s + t.share, 0);
  const total = SEGMENTS.reduce((s, g) => s + share(g), 0);
  const won = SEGMENTS.reduce((s, g) => s + (share(g) / total) * SEGMENT_WON[g.name as keyof typeof SEGMENT_WON], 0);
  return { ...segmented, targets: [...segmented.targets.filter((t) => t.segment === undefined), { metric: 'won', target: won, tolerance: TOLERANCE, weight: 1 }] };
}

/** The simulator's true metrics, per segment too, as prediction columns. */
function truthColumns(level: SampleLevel, variant: GameVariant, params: Parameters<typeof expectedMetrics>[1]): Record<string, number> {
  const out: Record<string, number> = { ...expectedMetrics(level, params, variant) };
  for (const g of SEGMENTS) {
    const t = expectedMetrics(level, params, variant, undefined, g.testers);
    for (const [m, v] of Object.entries(t)) out[columnName(m, g.name)] = v;
  }
  return out;
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const setup = opts.quick
    ? { variants: [variants[0]!], pastLevels: 60, per: 16, newLevels: 10, steps: 400 as number | undefined }
    : { variants: [variants[0]!, variants[2]!], pastLevels: 120, per: 20, newLevels: 60, steps: undefined };
  const rows: { variant: string; hits: Record<(typeof METHODS)[number], boolean[]> }[] = [];
  for (const variant of setup.variants) {
    const seed = 1;
    const c = generateCorpus({ seed, variant, pastLevels: setup.pastLevels, playtestsPerPast: setup.per, newLevels: setup.newLevels, playtestsPerNew: K });
    const project = segmentProject(c.project);
    const population = populationProject(project);
    const model = await trainModel({ ...pastCorpus(c), project }, { seed, ...(setup.steps ? { steps: setup.steps } : {}) });
    log(`  segments: ${variant.name} trained`);
    const hits = Object.fromEntries(METHODS.map((m) => [m, [] as boolean[]])) as Record<(typeof METHODS)[number], boolean[]>;
    const columns = [...project.metrics.map((m) => m.name), ...SEGMENTS.flatMap((g) => project.metrics.map((m) => columnName(m.name, g.name)))];
    const scoreTerms = targetTerms(project, columns);
    for (const id of c.newLevelIds) {
      const level = c.levels.find((l) => l.id === id)!;
      const truth = c.truth.get(id)!;
      const playtests = c.playtests.filter((p) => p.levelId === id);
      const base = levelBase(project, playtests);
      const met = (params: Parameters<typeof expectedMetrics>[1]): boolean => {
        const t = truthColumns(truth, variant, params);
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
      const oracle = functionPredictor(model.space, { levelId: id, metrics: columns, fn: (params) => truthColumns(truth, variant, params) });
      hits[METHODS[2]].push(met(balanceLevel(project, model.space, oracle, { base, seed, stayNear: 0 }).params));
    }
    model.dispose();
    rows.push({ variant: variant.name, hits });
  }
  const rate = (xs: readonly boolean[]): number => mean(xs.map(Number));
  return [
    `### Targets per segment (K = ${K}; every target met at the simulator's true per-segment metrics, % of ${setup.newLevels} held-out levels per variant)\n`,
    `Targets: novices win ${SEGMENT_WON.novice} ± ${TOLERANCE}, experts ${SEGMENT_WON.expert} ± ${TOLERANCE}, and the population's duration as in the sample project. ` +
      `The model was trained on ${setup.pastLevels} past levels × ${setup.per} playtests of each variant (seed 1).\n`,
    markdownTable(
      ['method', ...rows.map((r) => r.variant), 'mean ± sd'],
      METHODS.map((m) => [m, ...rows.map((r) => (100 * rate(r.hits[m])).toFixed(1)), meanSd(rows.map((r) => rate(r.hits[m])), 1, 100)]),
    ),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
