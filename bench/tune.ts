// Hyper-parameter measurement for the meta-learner and the balancer (not part of `npm run bench`):
// trains on a sample-game corpus per (variant, seed), adapts each held-out level from K playtests,
// balances it with the balancing service at each objective × stay-near weight asked for, and scores at the simulator's
// TRUE metrics: hit rate, target loss, and the RMSE (tolerance units) of the predicted expected
// metrics vs the truth at the balanced point and at the level's default settings (there also for the
// meta-model at the prior context and with per-level offsets: the bench's ablations).
// The command line: `node dist/bench/tune.js --help` (USAGE below).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus, pastCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, variants } from '../samples/crypt-run/game.js';
import { levelBase, meetsTargets, targetLoss, targetTerms, type SearchObjective } from '../src/balance/index.js';
import { BalancingService } from '../src/balance/service.js';
import { pMeetFromDraws } from '../src/balance/targets.js';
import { trainModel } from '../src/model/index.js';
import { adapters, type Adaptation } from '../test/support/adapters.js';
import type { ModelConfig } from '../src/model/model.js';
import type { ParamValues, Project } from '../src/project/types.js';
import { log, meanSd } from './report.js';

interface PointScore {
  objective: SearchObjective;
  stayNear: number;
  hit: number;
  loss: number;
  rmse: number;
  /** mean pMeet, and its Brier score against whether the targets were truly met */
  pMeet: number;
  brier: number;
  /** per pMeet blur scale asked for: the log-loss of pMeet against whether the targets were truly met */
  logLoss: number[];
}

export interface TuneRow {
  label: string;
  variant: string;
  seed: number;
  k: number;
  trainSeconds: number;
  steps: number;
  /** one per stay-near weight */
  balanced: PointScore[];
  /** RMSE of the prediction vs truth at the level's defaults (tolerances), and per target metric */
  rmseDefaults: number;
  rmseDefaultsBy: Record<string, number>;
  /** the same per-metric RMSE at the defaults for the ablations' adaptation of the meta-model: per-level offsets, the prior context */
  baselinesBy: Record<'offsets' | 'none', Record<string, number>>;
}

export interface TuneOptions {
  label: string;
  config: Partial<ModelConfig>;
  seeds: number[];
  variants: number[];
  past: number;
  per: number;
  test: number;
  ks: number[];
  stayNear: number[];
  /** every objective is run at every stay-near weight */
  objective: SearchObjective[];
  /** pMeet blur scales (× the draws' sd) to score by log-loss */
  blur: number[];
}

function row(project: Project, values: Record<string, number>): Float32Array {
  return Float32Array.from(project.metrics.map((m) => values[m.name] ?? NaN));
}

export async function tune(opts: TuneOptions): Promise<TuneRow[]> {
  const out: TuneRow[] = [];
  for (const vi of opts.variants) {
    const variant = variants[vi]!;
    for (const seed of opts.seeds) {
      const c = generateCorpus({
        seed: 100 + seed,
        pastLevels: opts.past,
        playtestsPerPast: opts.per,
        newLevels: opts.test,
        playtestsPerNew: Math.max(...opts.ks),
        variant,
      });
      const t0 = performance.now();
      const model = await trainModel(pastCorpus(c), { seed, config: opts.config });
      const trainSeconds = (performance.now() - t0) / 1000;
      const terms = targetTerms(
        c.project,
        c.project.metrics.map((m) => m.name),
      );
      const sq = (pred: ArrayLike<number>, truth: Float32Array): number[] => terms.map((t) => ((pred[t.index]! - truth[t.index]!) / t.tolerance) ** 2);
      const sqErr = (pred: ArrayLike<number>, truth: Float32Array): number => sq(pred, truth).reduce((a, b) => a + b, 0);
      const settings = opts.objective.flatMap((objective) => opts.stayNear.map((stayNear) => ({ objective, stayNear })));
      for (const k of opts.ks) {
        const acc = settings.map(() => ({ hit: 0, loss: 0, se: 0, pMeet: 0, brier: 0, logLoss: opts.blur.map(() => 0) }));
        const methods = ['context', 'offsets', 'none'] as const;
        // one adaptation per level and method, kept while every setting is balanced and scored
        const services = Object.fromEntries(methods.map((m) => [m, new BalancingService(model, { adapt: adapters[m], cacheSize: 1 })])) as Record<Adaptation, BalancingService>;
        const se = Object.fromEntries(methods.map((m) => [m, terms.map(() => 0)])) as Record<Adaptation, number[]>;
        for (const id of c.newLevelIds) {
          const level = c.levels.find((l) => l.id === id)!;
          const pts = c.playtests.filter((p) => p.levelId === id).slice(0, k);
          const hidden = c.truth.get(id)!;
          const input = { level, playtests: pts };
          const base = levelBase(c.project, pts);
          // the cached adaptation, which the balance calls below reuse
          const adapted = services.context.withPredictor(input, (p) => p);
          const predicted = (params: ParamValues): Float32Array => adapted.predict(model.space.encode(params), 1).mode;
          settings.forEach(({ objective, stayNear }, i) => {
            const b = services.context.balance(input, { seed, stayNear, objective });
            const truth = row(c.project, expectedMetrics(hidden, b.params, variant));
            const hit = meetsTargets(terms, truth) ? 1 : 0;
            acc[i]!.hit += hit;
            acc[i]!.pMeet += b.pMeet;
            acc[i]!.brier += (b.pMeet - hit) ** 2;
            const { draws } = adapted.predict(model.space.encode(b.params), 1, { draws: true });
            opts.blur.forEach((scale, j) => {
              const p = pMeetFromDraws(terms, draws!, adapted.samples, adapted.metrics.length, 0, scale);
              acc[i]!.logLoss[j]! -= Math.log(hit ? p : 1 - p);
            });
            acc[i]!.loss += targetLoss(terms, truth);
            acc[i]!.se += sqErr(predicted(b.params), truth);
          });
          const truthAtBase = row(c.project, expectedMetrics(hidden, base, variant));
          for (const method of methods) {
            services[method].withPredictor(input, (p) => sq(p.predict(model.space.encode(base), 1).mode, truthAtBase).forEach((e, j) => (se[method][j]! += e)));
          }
        }
        for (const s of Object.values(services)) s.dispose();
        const n = c.newLevelIds.length;
        const byMetric = (sums: number[]): Record<string, number> => Object.fromEntries(terms.map((t, j) => [t.metric, Math.sqrt(sums[j]! / n)]));
        const r: TuneRow = {
          label: opts.label,
          variant: variant.name,
          seed,
          k,
          trainSeconds,
          steps: model.info.steps,
          balanced: acc.map((a, i) => ({
            ...settings[i]!,
            hit: a.hit / n,
            loss: a.loss / n,
            rmse: Math.sqrt(a.se / (n * terms.length)),
            pMeet: a.pMeet / n,
            brier: a.brier / n,
            logLoss: a.logLoss.map((v) => v / n),
          })),
          rmseDefaults: Math.sqrt(se.context.reduce((a, b) => a + b, 0) / (n * terms.length)),
          rmseDefaultsBy: byMetric(se.context),
          baselinesBy: { offsets: byMetric(se.offsets), none: byMetric(se.none) },
        };
        console.log(JSON.stringify(r));
        out.push(r);
      }
      model.dispose();
    }
  }
  return out;
}

export function summary(rows: readonly TuneRow[]): string {
  const f = (g: (r: TuneRow) => number, d = 2, s = 1): string => meanSd(rows.map(g), d, s);
  return [
    `${rows[0]?.label ?? '?'} (${rows.length} runs): train ${f((r) => r.trainSeconds, 1)} s, steps ${f((r) => r.steps, 0)}, rmse@defaults ${f((r) => r.rmseDefaults)} (` +
      Object.keys(rows[0]?.rmseDefaultsBy ?? {})
        .map((m) => `${m} ${f((r) => r.rmseDefaultsBy[m]!)}`)
        .join(', ') +
      ')',
    `  at the defaults, meta-model + offsets: ${Object.keys(rows[0]?.baselinesBy.offsets ?? {})
      .map((m) => `${m} ${f((r) => r.baselinesBy.offsets[m]!)}`)
      .join(', ')}; meta-model at the prior: ${Object.keys(rows[0]?.baselinesBy.none ?? {})
      .map((m) => `${m} ${f((r) => r.baselinesBy.none[m]!)}`)
      .join(', ')}`,
    ...(rows[0]?.balanced ?? []).map(
      (b, i) =>
        `  ${b.objective}, stay-near ${b.stayNear}: hit ${f((r) => r.balanced[i]!.hit, 1, 100)} %, loss ${f((r) => r.balanced[i]!.loss)}, rmse@balanced ${f((r) => r.balanced[i]!.rmse)}, pMeet ${f((r) => r.balanced[i]!.pMeet)}, Brier ${f((r) => r.balanced[i]!.brier, 3)}` +
        (rows[0]!.balanced[i]!.logLoss.length ? `, log-loss by blur ${b.logLoss.map((_, j) => f((r) => r.balanced[i]!.logLoss[j]!, 3)).join(' / ')}` : ''),
    ),
  ].join('\n');
}

const USAGE = `usage: node dist/bench/tune.js (after npm run build) [--label L] [--config JSON] [--seeds 1,2,3] [--variants 0,1]
  [--past 120] [--per 20] [--test 30] [--k 2,5,10] [--stay-near 0,10] [--objective pmeet,loss] [--blur 0.7,1,1.41]

One JSON line per (run, K) on stdout, a summary per K (mean ± sd over seeds × variants) on stderr.`;

/** The command line as tune's options; a mistake throws with what was wrong. */
function optionsFrom(argv: string[]): TuneOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      label: { type: 'string', default: 'run' },
      config: { type: 'string', default: '{}' },
      seeds: { type: 'string', default: '1,2,3' },
      variants: { type: 'string', default: '0,1' },
      past: { type: 'string', default: '120' },
      per: { type: 'string', default: '20' },
      test: { type: 'string', default: '30' },
      k: { type: 'string', default: '2,5,10' },
      'stay-near': { type: 'string', default: '0,10' },
      objective: { type: 'string', default: 'pmeet' },
      blur: { type: 'string', default: '' },
    },
  });
  if (v.help) return 'help';
  const numbers = (flag: string, s: string): number[] =>
    s.split(',').map((x) => {
      const n = Number(x);
      if (x.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag}: a comma-separated list of numbers (got "${s}")`);
      return n;
    });
  const one = (flag: string, s: string): number => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag}: a number (got "${s}")`);
    return n;
  };
  let config: Partial<ModelConfig>;
  try {
    config = JSON.parse(v.config) as Partial<ModelConfig>;
  } catch (e) {
    throw new Error(`--config: not JSON (${(e as Error).message})`);
  }
  return {
    label: v.label,
    config,
    seeds: numbers('seeds', v.seeds),
    variants: numbers('variants', v.variants),
    past: one('past', v.past),
    per: one('per', v.per),
    test: one('test', v.test),
    ks: numbers('k', v.k),
    stayNear: numbers('stay-near', v['stay-near']),
    objective: v.objective.split(',').map((o) => {
      if (o !== 'pmeet' && o !== 'loss') throw new Error(`--objective: pmeet or loss (got "${o}")`);
      return o;
    }),
    blur: v.blur ? numbers('blur', v.blur) : [],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let opts: ReturnType<typeof optionsFrom> | undefined;
  try {
    opts = optionsFrom(process.argv.slice(2));
  } catch (e) {
    console.error(`tune: ${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  }
  if (opts === 'help') console.log(USAGE);
  else if (opts !== undefined) {
    tune(opts).then(
      (rows) => {
        for (const k of new Set(rows.map((r) => r.k))) log(`K = ${k}: ${summary(rows.filter((r) => r.k === k))}`);
      },
      (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
  }
}
