// Which meta-trainer is the default: joint vs reptile vs reptile-plain vs fomaml on held-out levels of the
// sample game, several seeds and game variants. Each held-out level (never trained on) is adapted
// from K of its playtests; scored by the predictive NLL of its other playtests and by the error of
// the predicted expected metrics against the simulator's TRUE expectation at those settings
// (in units of the targets' tolerances), and by balancing it (the balancer at its defaults) and
// checking the targets at the simulator's true metrics.
import { generateCorpus, pastCorpus } from '../samples/crypt-run/corpus.js';
import { expectedMetrics, variants } from '../samples/crypt-run/game.js';
import { meetsTargets } from '../samples/crypt-run/oracle.js';
import { BalancingService } from '../src/balance/service.js';
import { initBackend } from '../src/model/backend.js';
import { ALGORITHMS, trainModel, type Algorithm } from '../src/model/index.js';
import type { ParamValues } from '../src/project/types.js';
import { adaptRows } from '../src/model/adapt.js';
import { levelRows, sliceRows } from '../src/model/data.js';
import type { ModelConfig } from '../src/model/model.js';
import { log, markdownTable, meanSd, runWhenMain } from './report.js';

export interface TrainerScore {
  algorithm: Algorithm;
  variant: string;
  seed: number;
  nll: number;
  trueErr: number;
  /** share of held-out levels whose balanced params meet every target at the TRUE metrics */
  hitRate: number;
  trainSeconds: number;
}

const K = 5;

export async function compareTrainers(opts: {
  seeds: number[];
  variants: number[];
  pastLevels: number;
  playtestsPerPast: number;
  testLevels: number;
  algorithms?: Algorithm[];
  config?: Partial<ModelConfig>;
}): Promise<TrainerScore[]> {
  await initBackend();
  const out: TrainerScore[] = [];
  for (const vi of opts.variants) {
    const variant = variants[vi]!;
    for (const seed of opts.seeds) {
      const c = generateCorpus({ seed: 100 + seed, pastLevels: opts.pastLevels, playtestsPerPast: opts.playtestsPerPast, newLevels: opts.testLevels, playtestsPerNew: 25, variant });
      const corpus = pastCorpus(c);
      const tol = new Map(c.project.targets.map((t) => [t.metric, t.tolerance]));
      for (const algorithm of opts.algorithms ?? ALGORITHMS) {
        const t0 = performance.now();
        const model = await trainModel(corpus, { algorithm, seed, ...(opts.config ? { config: opts.config } : {}) });
        const trainSeconds = (performance.now() - t0) / 1000;
        // one adaptation per level serves both the error at its playtests' settings and the balance
        const service = new BalancingService(model, { cacheSize: 1 });
        let nll = 0;
        let nNll = 0;
        let err = 0;
        let nErr = 0;
        let hits = 0;
        for (const id of c.newLevelIds) {
          const level = c.levels.find((l) => l.id === id)!;
          const pts = c.playtests.filter((p) => p.levelId === id);
          const rows = levelRows(model, level, pts);
          const P = model.shape.perPlaytest;
          const M = model.spec.metrics.length;
          const pred = adaptRows(model, sliceRows(rows, 0, K, P, M), 'context');
          for (const v of pred.logLikRows(sliceRows(rows, K, rows.rows, P, M))) {
            nll -= v;
            nNll++;
          }
          pred.dispose();
          const input = { level, playtests: pts.slice(0, K) };
          const settings: ParamValues[] = pts.slice(K).map((p) => ({ ...Object.fromEntries(c.project.params.map((q) => [q.name, q.default])), ...p.params }));
          const D = model.space.dim;
          const x = new Float32Array(settings.length * D);
          settings.forEach((s, i) => x.set(model.space.encode(s), i * D));
          const { mode } = service.withPredictor(input, (adapted) => adapted.predict(x, settings.length));
          const balanced = service.balance(input, { seed });
          if (meetsTargets(expectedMetrics(c.truth.get(id)!, balanced.params, variant), c.project.targets)) hits++;
          settings.forEach((s, i) => {
            const truth = expectedMetrics(c.truth.get(id)!, s, variant);
            c.project.metrics.forEach((m, j) => {
              const t = tol.get(m.name);
              if (t === undefined) return;
              err += ((mode[i * M + j]! - truth[m.name]!) / t) ** 2;
              nErr++;
            });
          });
        }
        service.dispose();
        model.dispose();
        const row = { algorithm, variant: variant.name, seed, nll: nll / nNll, trueErr: Math.sqrt(err / nErr), hitRate: hits / c.newLevelIds.length, trainSeconds };
        log(`  trainers: ${JSON.stringify(row)}`);
        out.push(row);
      }
    }
  }
  return out;
}

export function trainerTable(scores: readonly TrainerScore[]): string {
  const rows = ALGORITHMS.map((a) => {
    const s = scores.filter((x) => x.algorithm === a);
    return [
      a,
      meanSd(s.map((x) => x.nll), 3),
      meanSd(s.map((x) => x.trueErr), 3),
      `${meanSd(s.map((x) => x.hitRate), 0, 100)} %`,
      meanSd(s.map((x) => x.trainSeconds), 1),
    ];
  });
  return markdownTable(
    ['trainer', `held-out NLL per playtest (K = ${K})`, 'RMSE of expected metrics vs truth (tolerances)', 'balance hit rate (true metrics)', 'training s'],
    rows,
  );
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const setup = opts.quick
    ? { seeds: [1], variants: [0], pastLevels: 60, playtestsPerPast: 16, testLevels: 10 }
    : { seeds: [1, 2, 3], variants: [0, 1], pastLevels: 120, playtestsPerPast: 20, testLevels: 20 };
  const scores = await compareTrainers(setup);
  return [
    '## Meta-trainers compared (held-out levels of the sample game)',
    '',
    `${setup.pastLevels} past levels × ${setup.playtestsPerPast} playtests for training, ${setup.testLevels} levels never trained on, ` +
      `adapted from ${K} playtests and scored on 20 more; seeds ${setup.seeds.join(', ')}; variants ${setup.variants.map((v) => variants[v]!.name).join(', ')}; ` +
      'mean ± sd over the runs, default hyper-parameters of each trainer (same ensemble, network and compute budget).',
    '',
    trainerTable(scores),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
