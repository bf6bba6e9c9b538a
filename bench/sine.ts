// Benchmark 10a: Reptile on sine-wave regression, the setup of Nichol, Achiam & Schulman (2018):
// amplitude U[0.1, 5], phase U[0, 2π], x U[−5, 5], a 1-64-64-1 tanh network, K = 10 points.
// Meta-training runs a meta-batch of tasks as one batched computation (per-task weights
// [T, in, out], batched matMul); evaluation fine-tunes from the meta-learned initialisation and
// from a random one with plain SGD and reports the MSE on the whole interval after 0/1/8/32 steps.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/model/backend.js';
import { Rng } from '../src/util/rng.js';
import { log, markdownTable, runWhenMain } from './report.js';

export interface SineSetup {
  metaIterations: number;
  /** tasks per meta-iteration (one batched computation) */
  metaBatch: number;
  innerSteps: number;
  innerLr: number;
  /** outer step size, annealed linearly to 0 */
  outerLr: number;
  testTasks: number;
  seed: number;
}
export interface SineRow {
  steps: number;
  metaMse: number;
  randomMse: number;
}

const K = 10;
const EVAL_POINTS = 100;
const EVAL_STEPS = [0, 1, 8, 32];
const SIZES: [number, number][] = [
  [1, 64],
  [64, 64],
  [64, 1],
];

/** tanh(x) = 2σ(2x) − 1: the same function, several times cheaper on the wasm backend. */
const tanh = (x: tf.Tensor): tf.Tensor => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);

function net(w: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor {
  let h = x;
  for (let l = 0; l < SIZES.length; l++) {
    h = tf.add(tf.matMul(h as tf.Tensor3D, w[2 * l] as tf.Tensor3D), w[2 * l + 1]!);
    if (l < SIZES.length - 1) h = tanh(h);
  }
  return h;
}

/** Weights for T copies (the same initialisation in every copy), Glorot-uniform like the paper's. */
function initWeights(rng: Rng): Float32Array[] {
  return SIZES.flatMap(([i, o]) => {
    const lim = Math.sqrt(6 / (i + o));
    return [Float32Array.from({ length: i * o }, () => (2 * rng.next() - 1) * lim), new Float32Array(o)];
  });
}

function tile(ws: readonly Float32Array[], T: number): tf.Tensor[] {
  return ws.map((w, k) => {
    const [i, o] = SIZES[k >> 1]!;
    const shape = k % 2 === 0 ? [1, i, o] : [1, 1, o];
    return tf.tidy(() => tf.tile(tf.tensor(w, shape), [T, 1, 1]));
  });
}

interface Tasks {
  x: tf.Tensor3D;
  y: tf.Tensor3D;
}
function sampleTasks(rng: Rng, T: number, n: number, grid = false): { amp: number[]; phase: number[]; x: Float32Array; y: Float32Array } {
  const amp: number[] = [];
  const phase: number[] = [];
  const x = new Float32Array(T * n);
  const y = new Float32Array(T * n);
  for (let t = 0; t < T; t++) {
    amp.push(0.1 + 4.9 * rng.next());
    phase.push(2 * Math.PI * rng.next());
    for (let i = 0; i < n; i++) {
      const xi = grid ? -5 + (10 * i) / (n - 1) : -5 + 10 * rng.next();
      x[t * n + i] = xi;
      y[t * n + i] = amp[t]! * Math.sin(xi + phase[t]!);
    }
  }
  return { amp, phase, x, y };
}

function upload(x: Float32Array, y: Float32Array, T: number, n: number): Tasks {
  return { x: tf.tensor3d(x, [T, n, 1]), y: tf.tensor3d(y, [T, n, 1]) };
}

/** k steps of full-batch SGD on every task's own copy; returns the new weights (inputs disposed). */
function sgd(w: tf.Tensor[], data: Tasks, steps: number, lr: number): tf.Tensor[] {
  for (let s = 0; s < steps; s++) {
    const next = tf.tidy(() => {
      // sum over tasks of each task's mean loss: every copy gets its own task's gradient
      const g = tf.grads((...ps: tf.Tensor[]) => tf.sum(tf.mean(tf.squaredDifference(net(ps, data.x), data.y), [1, 2])))(w);
      return w.map((p, k) => tf.sub(p, tf.mul(g[k]!, lr)));
    });
    tf.dispose(w);
    w = next;
  }
  return w;
}

function metaTrain(setup: SineSetup, rng: Rng): Float32Array[] {
  let theta = initWeights(rng.fork('init'));
  const T = setup.metaBatch;
  for (let it = 0; it < setup.metaIterations; it++) {
    const s = sampleTasks(rng.fork(`tasks${it}`), T, K);
    const data = upload(s.x, s.y, T, K);
    const adapted = sgd(tile(theta, T), data, setup.innerSteps, setup.innerLr);
    const eps = setup.outerLr * (1 - it / setup.metaIterations);
    const means = adapted.map((w) => tf.tidy(() => tf.mean(w, 0)));
    theta = theta.map((th, k) => {
      const m = means[k]!.dataSync();
      return th.map((v, i) => v + eps * (m[i]! - v));
    });
    tf.dispose([...adapted, ...means, data.x, data.y]);
    if ((it + 1) % 500 === 0) log(`  sine: meta-iteration ${it + 1}/${setup.metaIterations}`);
  }
  return theta;
}

/** Mean test MSE over `testTasks` tasks after each number of SGD steps in EVAL_STEPS. */
function evaluate(init: readonly Float32Array[], setup: SineSetup, rng: Rng): number[] {
  const T = setup.testTasks;
  const tasks = sampleTasks(rng, T, K);
  const train = upload(tasks.x, tasks.y, T, K);
  const gridX = new Float32Array(T * EVAL_POINTS);
  const gridY = new Float32Array(T * EVAL_POINTS);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < EVAL_POINTS; i++) {
      const x = -5 + (10 * i) / (EVAL_POINTS - 1);
      gridX[t * EVAL_POINTS + i] = x;
      gridY[t * EVAL_POINTS + i] = tasks.amp[t]! * Math.sin(x + tasks.phase[t]!);
    }
  }
  const test = upload(gridX, gridY, T, EVAL_POINTS);
  let w = tile(init, T);
  let done = 0;
  const out: number[] = [];
  for (const steps of EVAL_STEPS) {
    w = sgd(w, train, steps - done, setup.innerLr);
    done = steps;
    const mse = tf.tidy(() => tf.mean(tf.squaredDifference(net(w, test.x), test.y)));
    out.push(mse.dataSync()[0]!);
    mse.dispose();
  }
  tf.dispose([...w, train.x, train.y, test.x, test.y]);
  return out;
}

export function sineSetup(quick: boolean): SineSetup {
  return { metaIterations: quick ? 400 : 3000, metaBatch: 10, innerSteps: 5, innerLr: 0.02, outerLr: 1, testTasks: 100, seed: 0 };
}

/** Rows for the table: test MSE after n SGD steps from the meta-learned and a random init. */
export async function sineRows(setup: SineSetup): Promise<{ rows: SineRow[]; trainSeconds: number }> {
  await initBackend();
  const rng = new Rng(setup.seed);
  const t0 = performance.now();
  const meta = metaTrain(setup, rng.fork('meta'));
  const trainSeconds = (performance.now() - t0) / 1000;
  const metaMse = evaluate(meta, setup, rng.fork('test'));
  const randomMse = evaluate(initWeights(rng.fork('random-init')), setup, rng.fork('test'));
  return { rows: EVAL_STEPS.map((steps, i) => ({ steps, metaMse: metaMse[i]!, randomMse: randomMse[i]! })), trainSeconds };
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const setup = sineSetup(opts.quick);
  log(`sine: ${setup.metaIterations} meta-iterations × ${setup.metaBatch} tasks × ${setup.innerSteps} inner SGD steps`);
  const { rows, trainSeconds } = await sineRows(setup);
  return [
    '## Reptile sine-wave regression (Nichol et al. 2018 setup)',
    '',
    `Amplitude U[0.1, 5], phase U[0, 2π], x U[−5, 5], 1-64-64-1 tanh, K = ${K} points per task. Meta-training: ` +
      `${setup.metaIterations} meta-iterations, each ${setup.metaBatch} tasks in one batched computation × ${setup.innerSteps} ` +
      `inner SGD steps (lr ${setup.innerLr}), outer step ε = ${setup.outerLr} annealed linearly to 0 (${trainSeconds.toFixed(1)} s). ` +
      `Test: ${setup.testTasks} new tasks, SGD (lr ${setup.innerLr}) on their ${K} points, MSE on ${EVAL_POINTS} points over [−5, 5].`,
    '',
    markdownTable(
      ['SGD steps on K = 10', 'MSE from meta-learned init', 'MSE from random init', 'ratio'],
      rows.map((r) => [r.steps, r.metaMse.toFixed(3), r.randomMse.toFixed(3), (r.metaMse / r.randomMse).toFixed(2)]),
    ),
  ].join('\n');
}

runWhenMain(import.meta.url, run);
