// Hyper-parameter measurement for the meta-learner (not part of `npm run bench`): trains on a
// sample-game corpus per (variant, seed), adapts each held-out level from K playtests and balances
// it with balanceLevel three ways — at the mode, at the mean of the draws, and with a trust region
// around the level's base settings — then scores at the simulator's TRUE metrics: hit rate, target
// loss, and the RMSE (tolerance units) of the mode prediction vs the true expected metrics at the
// balanced point and at the level's default settings.
//   node dist/bench/tune.js (after npm run build) --label base [--config '{"hidden":64}'] [--seeds 1,2,3]
//     [--variants 0,1] [--past 120] [--per 20] [--test 15] [--k 5] [--trust 1]
// One JSON line per run on stdout, a summary (mean ± sd over seeds × variants) on stderr.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, variants } from '../samples/crypt-run/game.js';
import { balanceLevel, levelBase, meetsTargets, targetLoss, targetTerms } from '../src/balance/index.js';
import { adaptLevel, trainModel, type LevelPredictor } from '../src/model/index.js';
import type { ModelConfig } from '../src/model/model.js';
import type { ParamValues, Project } from '../src/project/types.js';
import { log, meanSd } from './report.js';

export interface TuneRow {
  label: string;
  variant: string;
  seed: number;
  trainSeconds: number;
  steps: number;
  /** per balancing point: 'mode' (balanceLevel on the predictor) and 'mean' (on the draws' mean) */
  mode: PointScore;
  mean: PointScore;
  trust: PointScore;
  /** RMSE of the mode prediction vs truth at the level's defaults (tolerances) */
  rmseDefaults: number;
}
interface PointScore {
  hit: number;
  loss: number;
  rmse: number;
}

/** `p` with its predict() replaced (same level, metrics, samples; disposing disposes `p`). */
function withPredict(p: LevelPredictor, predict: LevelPredictor['predict']): LevelPredictor {
  return {
    levelId: p.levelId,
    playtestCount: p.playtestCount,
    metrics: p.metrics,
    samples: p.samples,
    predict,
    dispose: () => p.dispose(),
  };
}

/** The predictor seen through the mean of its draws instead of its mode. */
function drawMean(p: LevelPredictor): LevelPredictor {
  return withPredict(p, (x, n, opts) => {
    const { draws } = p.predict(x, n, { draws: true });
    const M = p.metrics.length;
    const S = p.samples;
    const mode = new Float32Array(n * M);
    for (let i = 0; i < n; i++) for (let s = 0; s < S; s++) for (let j = 0; j < M; j++) mode[i * M + j]! += draws![(i * S + s) * M + j]! / S;
    return opts?.draws ? { mode, draws: draws! } : { mode };
  });
}

/**
 * The predictor with every metric pushed away from its target by λ·tolerance per unit of distance
 * (in the encoded cube) from the level's base settings: a trust region for the search, since the
 * model is least accurate far from the settings it has seen.
 */
function trustRegion(p: LevelPredictor, project: Project, xBase: Float32Array, lambda: number): LevelPredictor {
  const terms = targetTerms(project, p.metrics);
  const P = xBase.length;
  const M = p.metrics.length;
  const push = (out: Float32Array, at: number, dist: number): void => {
    for (const t of terms) {
      const k = at + t.index;
      out[k] = out[k]! + Math.sign(out[k]! - t.target || 1) * lambda * dist * t.tolerance;
    }
  };
  return withPredict(p, (x, n, opts) => {
    const r = p.predict(x, n, opts);
    for (let i = 0; i < n; i++) {
      let d2 = 0;
      for (let j = 0; j < P; j++) d2 += (x[i * P + j]! - xBase[j]!) ** 2;
      const dist = Math.sqrt(d2);
      push(r.mode, i * M, dist);
      if (r.draws) for (let s = 0; s < p.samples; s++) push(r.draws, (i * p.samples + s) * M, dist);
    }
    return r;
  });
}

function row(project: Project, values: Record<string, number>): Float32Array {
  return Float32Array.from(project.metrics.map((m) => values[m.name] ?? NaN));
}

export async function tune(opts: {
  label: string;
  config: Partial<ModelConfig>;
  seeds: number[];
  variants: number[];
  past: number;
  per: number;
  test: number;
  k: number;
  trust: number;
}): Promise<TuneRow[]> {
  const out: TuneRow[] = [];
  for (const vi of opts.variants) {
    const variant = variants[vi]!;
    for (const seed of opts.seeds) {
      const c = generateCorpus({
        seed: 100 + seed,
        pastLevels: opts.past,
        playtestsPerPast: opts.per,
        newLevels: opts.test,
        playtestsPerNew: opts.k,
        variant,
      });
      const test = new Set(c.newLevelIds);
      const corpus = {
        project: c.project,
        levels: c.levels.filter((l) => !test.has(l.id)),
        playtests: c.playtests.filter((p) => !test.has(p.levelId)),
      };
      const t0 = performance.now();
      const model = await trainModel(corpus, { seed, config: opts.config });
      const trainSeconds = (performance.now() - t0) / 1000;
      const terms = targetTerms(
        c.project,
        c.project.metrics.map((m) => m.name),
      );
      const acc = {
        mode: { hit: 0, loss: 0, se: 0 },
        mean: { hit: 0, loss: 0, se: 0 },
        trust: { hit: 0, loss: 0, se: 0 },
        seDef: 0,
        n: 0,
      };
      const sqErr = (pred: ArrayLike<number>, truth: Float32Array): number => terms.reduce((s, t) => s + ((pred[t.index]! - truth[t.index]!) / t.tolerance) ** 2, 0);
      for (const id of c.newLevelIds) {
        const level = c.levels.find((l) => l.id === id)!;
        const pts = c.playtests.filter((p) => p.levelId === id).slice(0, opts.k);
        const hidden = c.truth.get(id)!;
        const base = levelBase(c.project, pts);
        const adapted = adaptLevel(model, level, pts);
        const at = (params: ParamValues, p: LevelPredictor): Float32Array => p.predict(model.space.encode(params), 1).mode;
        const defaults = {
          ...Object.fromEntries(c.project.params.map((q) => [q.name, q.default])),
          ...base,
        } as ParamValues;
        for (const kind of ['mode', 'mean', 'trust'] as const) {
          const p = kind === 'mode' ? adapted : kind === 'mean' ? drawMean(adapted) : trustRegion(adapted, c.project, model.space.encode(defaults), opts.trust);
          const b = balanceLevel(c.project, model.space, p, { base, seed });
          const truth = row(c.project, expectedMetrics(hidden, b.params, variant));
          const a = acc[kind];
          a.hit += meetsTargets(terms, truth) ? 1 : 0;
          a.loss += targetLoss(terms, truth);
          a.se += sqErr(at(b.params, adapted), truth);
        }
        acc.seDef += sqErr(at(defaults, adapted), row(c.project, expectedMetrics(hidden, defaults, variant)));
        acc.n++;
        adapted.dispose();
      }
      const n = acc.n;
      const score = (a: { hit: number; loss: number; se: number }): PointScore => ({
        hit: a.hit / n,
        loss: a.loss / n,
        rmse: Math.sqrt(a.se / (n * terms.length)),
      });
      const r: TuneRow = {
        label: opts.label,
        variant: variant.name,
        seed,
        trainSeconds,
        steps: model.info.steps,
        mode: score(acc.mode),
        mean: score(acc.mean),
        trust: score(acc.trust),
        rmseDefaults: Math.sqrt(acc.seDef / (n * terms.length)),
      };
      model.dispose();
      console.log(JSON.stringify(r));
      out.push(r);
    }
  }
  return out;
}

export function summary(rows: readonly TuneRow[]): string {
  const f = (g: (r: TuneRow) => number, d = 2, s = 1): string => meanSd(rows.map(g), d, s);
  return [
    `${rows[0]?.label ?? '?'} (${rows.length} runs): train ${f((r) => r.trainSeconds, 1)} s, steps ${f((r) => r.steps, 0)}`,
    `  mode: hit ${f((r) => r.mode.hit, 1, 100)} %, loss ${f((r) => r.mode.loss)}, rmse@balanced ${f((r) => r.mode.rmse)}`,
    `  mean: hit ${f((r) => r.mean.hit, 1, 100)} %, loss ${f((r) => r.mean.loss)}, rmse@balanced ${f((r) => r.mean.rmse)}`,
    `  trust: hit ${f((r) => r.trust.hit, 1, 100)} %, loss ${f((r) => r.trust.loss)}, rmse@balanced ${f((r) => r.trust.rmse)}`,
    `  rmse@defaults ${f((r) => r.rmseDefaults)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = parseArgs({
    options: {
      label: { type: 'string', default: 'run' },
      config: { type: 'string', default: '{}' },
      seeds: { type: 'string', default: '1,2,3' },
      variants: { type: 'string', default: '0,1' },
      past: { type: 'string', default: '120' },
      per: { type: 'string', default: '20' },
      test: { type: 'string', default: '15' },
      k: { type: 'string', default: '5' },
      trust: { type: 'string', default: '1' },
    },
  });
  const ints = (s: string): number[] => s.split(',').map(Number);
  tune({
    label: v.label,
    config: JSON.parse(v.config) as Partial<ModelConfig>,
    seeds: ints(v.seeds),
    variants: ints(v.variants),
    past: Number(v.past),
    per: Number(v.per),
    test: Number(v.test),
    k: Number(v.k),
    trust: Number(v.trust),
  }).then(
    (rows) => log(summary(rows)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
