// Benchmark 10c: training throughput and time, balance latency per level, memory. The goals
// (200 levels × 30 playtests trained in ≤ 60 s; balance ≤ 50 ms p50 per level incl. the search)
// are checked here, in the same run, never by timed unit tests.
import * as tf from '@tensorflow/tfjs-core';
import { balanceLevel, levelBase } from '../src/balance/index.js';
import { BalancingService } from '../src/balance/service.js';
import { functionPredictor } from '../test/support/function-predictor.js';
import { backendName, initBackend } from '../src/model/backend.js';
import { ALGORITHMS, trainModel, type Corpus, type MetaModel } from '../src/model/index.js';
import { generateCorpus } from '../samples/crypt-run/corpus.js';
import { log, markdownTable, percentile } from './report.js';

export interface SpeedOptions {
  quick: boolean;
}

const TRAIN_GOAL_S = 60;
const BALANCE_GOAL_MS = 50;

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** Meta-iterations per second over a short fixed budget, per algorithm. */
async function throughput(corpus: Corpus, steps: number): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const algorithm of ALGORITHMS) {
    const t0 = process.hrtime.bigint();
    const model = await trainModel(corpus, { steps, seed: 0, algorithm });
    const s = seconds(t0);
    const shape = describeStep(model);
    model.dispose();
    rows.push([algorithm, shape, steps, s.toFixed(2), (steps / s).toFixed(1)]);
    log(`  throughput ${algorithm}: ${(steps / s).toFixed(1)} it/s`);
  }
  return rows;
}

/** What one meta-iteration is, as the model reports it (tasks per meta-batch × inner steps). */
function describeStep(model: MetaModel): string {
  const tasks = model.info.metaBatch ?? model.info.tasksPerStep;
  const inner = model.info.innerSteps;
  if (tasks === undefined) return 'see model.info';
  return inner === undefined ? `${String(tasks)} tasks` : `${String(tasks)} tasks × ${String(inner)} inner steps`;
}

export async function run(opts: SpeedOptions): Promise<string> {
  await initBackend();
  const sample = generateCorpus({ seed: 0 });
  const corpus: Corpus = { project: sample.project, levels: sample.levels, playtests: sample.playtests };
  const out: string[] = ['## Speed and memory', `Backend: ${backendName()}. Corpus: the sample game, ${sample.pastLevelIds.length} past levels + ${sample.newLevelIds.length} new, ${sample.playtests.length} playtests.`];

  out.push('\n### Meta-training throughput\n');
  out.push(markdownTable(['algorithm', 'one meta-iteration', 'iterations', 'time s', 'iterations/s'], await throughput(corpus, opts.quick ? 50 : 200)));

  const t0 = process.hrtime.bigint();
  const model = await trainModel(corpus, { seed: 0, ...(opts.quick ? { steps: 600 } : {}) });
  const trainS = seconds(t0);
  log(`  full training: ${trainS.toFixed(1)} s (${model.info.steps} steps)`);

  // Latency per level: adapt to the level's playtests + search + assessment, as `balance` does.
  const newLevels = sample.newLevelIds.map((id) => ({
    level: sample.levels.find((l) => l.id === id)!,
    playtests: sample.playtests.filter((p) => p.levelId === id),
  }));
  const calls = opts.quick ? 100 : 1000;
  const service = new BalancingService(model);
  // CPU time beside the wall time: on a machine other jobs share, a call waits for a core, and
  // the CPU it used is what says whether the code got faster.
  const cpuTimes: number[] = [];
  const balanceOnce = (i: number): number => {
    const { level, playtests } = newLevels[i % newLevels.length]!;
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    service.balance({ level, playtests }, { seed: i });
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
    return seconds(t) * 1000;
  };
  for (let i = 0; i < 5; i++) balanceOnce(i); // warm-up: kernels compiled, caches filled
  cpuTimes.length = 0;
  const tensorsBefore = tf.memory().numTensors;
  const latencies = Array.from({ length: calls }, (_, i) => balanceOnce(i));
  const tensorsAfter = tf.memory().numTensors;

  // The same search on a closed-form predictor that costs next to nothing: the search's own cost.
  const metrics = model.project.metrics.map((m) => m.name);
  const searchOnly = newLevels.map(({ level, playtests }, i) => {
    const cheap = functionPredictor(model.space, {
      levelId: level.id,
      metrics,
      fn: (params) => Object.fromEntries(metrics.map((m, j) => [m, typeof params[m] === 'number' ? 0 : j])),
    });
    const t = process.hrtime.bigint();
    balanceLevel(model.project, model.space, cheap, { base: levelBase(model.project, playtests), seed: i });
    return seconds(t) * 1000;
  });
  model.dispose();

  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  out.push('\n### Training, balancing, memory\n');
  out.push(
    markdownTable(
      ['measure', 'value', 'goal', 'met'],
      [
        [`training time, ${sample.levels.length} levels × ~${Math.round(sample.playtests.length / sample.levels.length)} playtests (${model.info.steps} steps, ${model.info.algorithm})`, `${trainS.toFixed(1)} s`, `≤ ${TRAIN_GOAL_S} s`, trainS <= TRAIN_GOAL_S ? 'yes' : 'NO'],
        [`balance latency per level p50 (adapt + search + pMeet, ${calls} calls)`, `${p50.toFixed(1)} ms`, `≤ ${BALANCE_GOAL_MS} ms`, p50 <= BALANCE_GOAL_MS ? 'yes' : 'NO'],
        ['balance latency per level p99', `${p99.toFixed(1)} ms`, '', ''],
        ['balance CPU time per level p50 / p99 (process.cpuUsage, all threads)', `${percentile(cpuTimes, 0.5).toFixed(1)} / ${percentile(cpuTimes, 0.99).toFixed(1)} ms`, '', ''],
        ['the search alone on a free closed-form predictor, p50 (its own overhead)', `${percentile(searchOnly, 0.5).toFixed(1)} ms`, '', ''],
        ['peak RSS', `${rssMiB.toFixed(0)} MiB`, '', ''],
        [`live tensors before / after ${calls} balance calls`, `${tensorsBefore} / ${tensorsAfter}`, 'no growth', tensorsAfter <= tensorsBefore ? 'yes' : 'NO'],
      ],
    ),
  );
  return out.join('\n');
}
