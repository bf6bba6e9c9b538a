// Meta-training: builds the encoding and a fresh training state (or resumes a saved one), runs the
// chosen trainer step by step with progress, validation on held-out levels, early stopping and
// abort, then fits the residual prior and the spread calibration on the held-out levels and
// returns the trained model with the state training stopped in.
import { Rng } from '../util/rng.js';
import type { Level, Playtest, Project } from '../project/types.js';
import { adamInit } from './adam.js';
import { initBackend } from './backend.js';
import { corpusRows, type LevelRows } from './data.js';
import { fitEncoding, implausibleValues } from './encoding.js';
import { initWeights, layerSizes } from './network.js';
import { ALGORITHMS, ModelDefinition, unfitted, type Algorithm, type MetaModel, type ModelConfig, type ModelInfo } from './model.js';
import { Training, type Progress, type TrainedModel } from './training.js';
import type { AdamState } from './adam.js';
import { fomamlStep, jointStep, reptileStep } from './trainers.js';
import { fitCalibration, fitResidualSd, validationNll } from './validation.js';
import { trainTyping, TYPING_TRAINING } from './typing.js';
import { AbortError, yieldToLoop } from './abort.js';

export interface Corpus {
  project: Project;
  levels: Level[];
  /** Iterated a few times (each pass may rebuild the playtests: a store holds them as columns). */
  playtests: Iterable<Playtest>;
}
export interface TrainProgress {
  step: number;
  total: number;
  loss: number;
  valLoss: number | null;
  etaSec: number;
}
export interface TrainOptions {
  steps?: number;
  seed?: number;
  algorithm?: Algorithm;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** a saved model and its training state (e.g. a checkpoint): training continues from that state */
  resumeFrom?: TrainedModel;
  /** extension: hyper-parameter overrides */
  config?: Partial<ModelConfig>;
  /** extension: called every `checkpointEvery` steps with the model so far and its training state (disposed after the call) */
  checkpointEvery?: number;
  onCheckpoint?: (trained: TrainedModel, step: number) => Promise<void> | void;
}

/**
 * Joint training shows each training level to the network about steps × batchLevels / levels
 * times. Below this many, with validation still improving at the end, a large corpus is
 * under-trained: on the sample game's corpus bench (`npm run bench -- --only corpus`), 1,920 past
 * levels at the default 1,000 steps (8 passes) predict the win rate at random settings with 1.45
 * tolerances of error, at 4,000 steps (33 passes) 0.99; 480 levels at 1,000 steps (33 passes) 1.34.
 */
const MIN_VISITS = 30;
/** "Still improving": the best validation step lies in the last fifth of the planned steps. */
const STILL_IMPROVING = 0.8;

const COMMON = { hidden: 32, layers: 2, ensemble: 3, rescaleInputs: true, testerInputs: true, weightDecay: 1e-4, valAdapt: 5, contextLr: 3e-2, patience: 8 };

export function defaultConfig(algorithm: Algorithm, seed: number): ModelConfig {
  const base = { ...COMMON, algorithm, seed, contextSteps: 0, innerSteps: 0, innerLr: 0, outerLr: 0 };
  if (algorithm === 'joint') return { ...base, context: 4, steps: 1000, batchLevels: 16, lr: 3e-3, evalEvery: 50 };
  const context = algorithm === 'reptile-plain' ? 0 : 4;
  return {
    ...base,
    context,
    steps: 200,
    batchLevels: 8,
    lr: algorithm === 'fomaml' ? 3e-2 : 0,
    contextSteps: context > 0 ? 5 : 0,
    innerSteps: 5,
    innerLr: 3e-3,
    outerLr: algorithm === 'fomaml' ? 0 : 1,
    evalEvery: 10,
  };
}

/** Held-out levels: enough playtests to adapt on valAdapt and score the rest. */
export function validationLevels(corpus: Corpus, cfg: ModelConfig): Set<string> {
  const counts = new Map<string, number>();
  for (const pt of corpus.playtests) counts.set(pt.levelId, (counts.get(pt.levelId) ?? 0) + 1);
  const eligible = corpus.levels.map((l) => l.id).filter((id) => (counts.get(id) ?? 0) >= cfg.valAdapt + 5);
  if (eligible.length < 10) return new Set();
  const n = Math.min(30, Math.max(3, Math.round(0.1 * eligible.length)));
  return new Set(new Rng(cfg.seed).fork('validation').shuffle(eligible).slice(0, n));
}

/** A fresh, untrained training state for a corpus. */
export function newTraining(corpus: Corpus, cfg: ModelConfig, trainIds: string[], valIds: string[], backend: string): Training {
  const spec = fitEncoding(corpus.project, corpus.levels, corpus.playtests, { rescale: cfg.rescaleInputs, testers: cfg.testerInputs });
  const def = new ModelDefinition(corpus.project, spec, cfg);
  const outputs = def.outputs;
  const rng = new Rng(cfg.seed).fork('init');
  const outBias = new Float32Array(outputs.width);
  outputs.metrics.forEach((c, k) => {
    if (c.kind !== 'rate') return;
    const m = spec.metrics[outputs.order[k]!]!;
    let sum = 0;
    let n = 0;
    for (const p of corpus.playtests) {
      const v = p.metrics[m.name];
      if (typeof v === 'number') {
        sum += v;
        n++;
      }
    }
    const mean = n ? sum / n : 0.5;
    const p = Math.min(0.95, Math.max(0.05, mean));
    outBias[c.logit] = Math.log(p / (1 - p));
  });
  const members = Array.from({ length: cfg.ensemble }, (_, e) => rng.fork(`member${e}`));
  const weights = initWeights(def.shape, cfg.ensemble, members, outBias);
  if (weights.length !== 2 * layerSizes(def.shape).length) throw new Error('internal: weight count');
  const qn = cfg.ensemble * trainIds.length * cfg.context;
  const q = cfg.context > 0 ? { mu: new Float32Array(qn), logSig: new Float32Array(qn).fill(-1) } : null;
  const info = {
    algorithm: cfg.algorithm,
    seed: cfg.seed,
    steps: 0,
    trainedAt: new Date().toISOString(),
    backend,
    corpus: { levels: corpus.levels.length, playtests: countOf(corpus.playtests) },
    validation: {},
  };
  return new Training(corpus.project, spec, cfg, trainIds, valIds, weights, q, null, unfitted(spec), info);
}

/** Training resumed from a saved state, with `steps` as the new total when given. */
function resumedTraining(from: TrainedModel, steps: number | undefined): Training {
  const { model, training: t } = from;
  const config = steps === undefined ? model.config : { ...model.config, steps };
  const weights = model.weights.map((w) => (w.dataSync() as Float32Array).slice());
  return new Training(model.project, model.spec, config, t.levelIds, t.valLevelIds, weights, t.q, t.progress, model, model.info);
}

/** Trains (or resumes) and returns the model with the state training stopped in, to save or resume. */
export async function trainResumable(corpus: Corpus, opts: TrainOptions = {}): Promise<TrainedModel> {
  const backend = await initBackend();
  if (opts.algorithm !== undefined && !ALGORITHMS.includes(opts.algorithm)) {
    throw new Error(`unknown algorithm "${String(opts.algorithm)}" (use ${ALGORITHMS.join(', ')})`);
  }
  let training: Training;
  if (opts.resumeFrom !== undefined) {
    training = resumedTraining(opts.resumeFrom, opts.steps);
  } else {
    const algorithm = opts.algorithm ?? 'joint';
    const cfg = { ...defaultConfig(algorithm, opts.seed ?? 0), ...opts.config };
    if (opts.steps !== undefined) cfg.steps = opts.steps;
    const val = validationLevels(corpus, cfg);
    training = newTraining(corpus, cfg, corpus.levels.map((l) => l.id).filter((id) => !val.has(id)), [...val], backend);
  }
  try {
    const model = await runTraining(training, corpus, opts);
    return { model, training: training.state() };
  } finally {
    training.dispose();
  }
}

/** Trains and returns the model alone. */
export async function trainModel(corpus: Corpus, opts: TrainOptions = {}): Promise<MetaModel> {
  return (await trainResumable(corpus, opts)).model;
}

async function runTraining(training: Training, corpus: Corpus, opts: TrainOptions): Promise<MetaModel> {
  const cfg = training.config;
  const rows = corpusRows(training, corpus.levels, corpus.playtests);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const levels = training.levelIds.map((id) => byId.get(id) ?? { ...emptyRows(id, rows[0]?.feat.length ?? 0) });
  const val = training.valLevelIds.map((id) => byId.get(id)).filter((r): r is LevelRows => r !== undefined);
  const train = levels.map((l, i) => (l.rows > 0 ? i : -1)).filter((i) => i >= 0);
  if (train.length === 0) throw new Error('training needs at least one level with playtests');
  const total = cfg.steps;
  const st = training.progress;
  // joint's Adam runs on the weights and q(z), fomaml's outer Adam on the weights alone
  if (cfg.algorithm === 'joint' && !st.adam) st.adam = adamInit(training.trainables());
  if (cfg.algorithm === 'fomaml' && !st.adam) st.adam = adamInit(training.trainables(false));
  const t0 = performance.now();
  const firstStep = st.step;
  let lastVal: number | null = st.bestVal;
  while (st.step < total) {
    if (opts.signal?.aborted) throw new AbortError();
    const rng = new Rng(cfg.seed).fork(`step${st.step}`);
    const frac = st.step / total;
    let loss: number;
    const decay = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * frac));
    if (cfg.algorithm === 'joint') {
      const warm = Math.min(1, (st.step + 1) / 50);
      loss = jointStep(training, levels, train, st.adam!, rng, { lr: cfg.lr * warm * decay, contextLr: cfg.contextLr * warm * decay });
    } else if (cfg.algorithm === 'fomaml') {
      loss = fomamlStep(training, levels, train, st.adam!, rng, cfg.lr * decay);
    } else {
      loss = reptileStep(training, levels, train, rng, cfg.outerLr * (1 - frac));
    }
    st.step += 1;
    let stop = false;
    if (val.length > 0 && (st.step % cfg.evalEvery === 0 || st.step === total)) {
      const sofar = training.model();
      lastVal = validationNll(sofar, val);
      sofar.dispose();
      if (st.bestVal === null || lastVal < st.bestVal - 1e-4) {
        st.bestVal = lastVal;
        st.bestStep = st.step;
        st.sinceBest = 0;
        st.bestWeights = training.readWeights(true);
      } else {
        st.sinceBest += 1;
        stop = st.sinceBest >= cfg.patience;
      }
    }
    const perStep = (performance.now() - t0) / 1000 / (st.step - firstStep);
    opts.onProgress?.({ step: st.step, total, loss, valLoss: lastVal, etaSec: stop ? 0 : perStep * (total - st.step) });
    if (opts.onCheckpoint && opts.checkpointEvery && st.step % opts.checkpointEvery === 0 && st.step < total) {
      const model = training.model();
      try {
        await opts.onCheckpoint({ model, training: training.state() }, st.step);
      } finally {
        model.dispose();
      }
    }
    await yieldToLoop();
    if (stop) break;
  }
  if (st.bestWeights) training.setWeights(st.bestWeights);
  let model = training.model();
  try {
    const warnings: string[] = [];
    const odd = implausibleValues(corpus.project, corpus.playtests);
    if (odd.length > 0) {
      warnings.push(
        `${odd.length} implausible metric value${odd.length === 1 ? '' : 's'} (further than 10 robust sds from the corpus's median) treated as gross errors, not learned: ` +
          `${odd.slice(0, 5).join('; ')}${odd.length > 5 ? '; …' : ''}`,
      );
    }
    if (val.length > 0) {
      model = model.with({ residualSd: fitResidualSd(model, val) });
      model = model.with({ calibration: fitCalibration(model, val) });
      warnings.push(...validationWarnings(model, val, st, train.length));
    }
    // typing reads the finished meta-model's level contexts and expectations, so it comes last
    const typing = await trainTyping(model, corpus, cfg.seed, TYPING_TRAINING, opts.signal);
    model = model.with({ typing });
    const trainRows = levels.reduce((s, l) => s + l.rows, 0);
    const info: ModelInfo = {
      ...model.info,
      steps: st.step,
      trainedAt: new Date().toISOString(),
      trainSeconds: (performance.now() - t0) / 1000,
      validation: {
        ...(st.bestVal !== null ? { nll: st.bestVal, bestStep: st.bestStep } : {}),
        levels: val.length,
        adaptPlaytests: cfg.valAdapt,
      },
      ...(warnings.length > 0 ? { warnings } : {}),
      calibration: Object.fromEntries(model.spec.metrics.map((m, j) => [m.name, model.calibration[j]!])),
      residualSd: Object.fromEntries(model.outputs.order.map((j, k) => [model.spec.metrics[j]!.name, model.residualSd[k]!])),
      trainLevels: levels.length,
      trainPlaytests: trainRows,
      metaBatch: cfg.batchLevels,
      innerSteps: cfg.algorithm === 'joint' ? 1 : cfg.contextSteps + cfg.innerSteps,
      ensemble: cfg.ensemble,
      contextDim: cfg.context,
      ...testerPopulation(model),
      ...(typing ? { typing: { segments: typing.segments, typedInputTesters: Object.keys(typing.inputTesters).length } } : {}),
    };
    return model.with({ info });
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * What a designer must hear about a model before trusting it: the held-out levels predicted no
 * better from their own playtests than without them (the per-level context learned nothing that
 * transfers: too few or inconsistent levels), validation stopped improving within the first
 * tenth of the planned steps (the corpus may be too small, or its playtests contradict each other),
 * or a large corpus trained jointly for too few passes (see MIN_VISITS).
 */
function validationWarnings(model: MetaModel, val: readonly LevelRows[], st: Progress<AdamState>, trainLevels: number): string[] {
  const out: string[] = [];
  const adapted = validationNll(model, val);
  const prior = validationNll(model, val, 'none');
  if (!(adapted < prior)) {
    out.push(
      `held-out levels are predicted no better from ${model.config.valAdapt} of their own playtests (NLL ${adapted.toFixed(3)}) than without them ` +
        `(${prior.toFixed(3)}): the per-level context is not learning what sets levels apart; more levels, or more consistent playtests, are needed`,
    );
  }
  if (st.bestVal !== null && st.bestStep <= 0.1 * model.config.steps && st.step > st.bestStep) {
    out.push(
      `validation stopped improving at step ${st.bestStep} of ${model.config.steps} planned: the corpus may be too small or inconsistent for this model; check it with \`metabalance validate\``,
    );
  }
  const { algorithm, steps, batchLevels } = model.config;
  const visits = (steps * batchLevels) / trainLevels;
  if (algorithm === 'joint' && visits < MIN_VISITS && st.step === steps && st.bestStep >= STILL_IMPROVING * steps) {
    const enough = Math.ceil((MIN_VISITS * trainLevels) / batchLevels / 100) * 100;
    out.push(
      `training ended at its planned ${steps} steps with validation still improving (best at step ${st.bestStep}), having shown each of the ${trainLevels} training levels to the network about ${Math.round(visits)} times: ` +
        `the model is likely under-trained for a corpus this size; train again with --steps ${enough} (about ${MIN_VISITS} passes; training time grows in proportion)`,
    );
  }
  return out;
}

/** model.info's `testers`: the population the predictions average over. */
function testerPopulation(model: MetaModel): { testers?: Record<string, number> } {
  const c = model.spec.inputs;
  if (!c || c.testers.length === 0) return {};
  return { testers: Object.fromEntries(c.testers.map((t, i) => [t === '' ? '(other)' : t, Number(c.testerMix[i]!.toFixed(4))])) };
}

function emptyRows(id: string, f2: number): LevelRows {
  return { id, rows: 0, x: new Float32Array(0), feat: new Float32Array(f2), y: new Float32Array(0), obs: new Float32Array(0) };
}

function countOf(items: Iterable<unknown>): number {
  let n = 0;
  for (const _ of items) n++;
  return n;
}
