// The training state: live while training runs (tf variables for the weights and every training
// level's q(z), Adam's moments, the early-stopping progress), and frozen as plain arrays
// (TrainingState) to be saved beside the trained model and resumed from. The trained model itself
// is the immutable MetaModel (model.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { Project } from '../project/types.js';
import type { AdamState } from './adam.js';
import type { EncodingSpec } from './encoding.js';
import { MetaModel, ModelDefinition, type Fitted, type ModelConfig, type ModelInfo } from './model.js';
import { weightShapes } from './network.js';

/** Early stopping's and the optimizer's progress, with the optimizer's moments as `A`. */
export interface Progress<A> {
  step: number;
  adam: A | null;
  bestVal: number | null;
  bestStep: number;
  sinceBest: number;
  /** weights and q(z) at the best validation score (Training.readWeights(true)) */
  bestWeights: Float32Array[] | null;
}

/** Adam's state as plain arrays. */
export interface AdamArrays {
  m: Float32Array[];
  v: Float32Array[];
  t: number;
}

/** What resuming needs besides the model: plain data. */
export interface TrainingState {
  /** the training levels, in the order of q(z)'s rows (e·L + level) */
  readonly levelIds: readonly string[];
  /** levels held out for validation and calibration */
  readonly valLevelIds: readonly string[];
  /** every training level's q(z) = N(mu, exp(logSig)²); null without a context */
  readonly q: { readonly mu: Float32Array; readonly logSig: Float32Array } | null;
  readonly progress: Readonly<Progress<AdamArrays>> | null;
}

/** A trained model and the state its training stopped in (what saveModel writes). */
export interface TrainedModel {
  model: MetaModel;
  training: TrainingState;
}

/** Shapes of the trainables: every layer's weights, then q(z)'s μ and log σ when there is a context. */
export function trainableShapes(def: ModelDefinition, levels: number): number[][] {
  const Z = def.config.context;
  const q = Z > 0 ? [[def.ensemble * levels, Z], [def.ensemble * levels, Z]] : [];
  return [...weightShapes(def.shape, def.ensemble), ...q];
}

/** A variable holding a copy of `data` (the temporary tensor is released). */
function ownedVariable(data: Float32Array, shape: number[]): tf.Variable {
  const t = tf.tensor(data, shape);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** A model being trained: its variables change in place step by step. */
export class Training extends ModelDefinition {
  readonly weights: tf.Variable[];
  readonly qMu: tf.Variable | null;
  readonly qLogSig: tf.Variable | null;
  readonly progress: Progress<AdamState>;

  constructor(
    project: Project,
    spec: EncodingSpec,
    config: Readonly<ModelConfig>,
    readonly levelIds: readonly string[],
    readonly valLevelIds: readonly string[],
    weights: readonly Float32Array[],
    q: TrainingState['q'],
    progress: TrainingState['progress'],
    /** what the model this training started from had fitted (a fresh one: unfitted) */
    readonly fitted: Fitted,
    /** the info this training started from */
    readonly info: ModelInfo,
  ) {
    super(project, spec, config);
    const shapes = trainableShapes(this, levelIds.length);
    this.weights = weights.map((w, k) => ownedVariable(w, shapes[k]!));
    const hasQ = q !== null && config.context > 0;
    this.qMu = hasQ ? ownedVariable(q.mu, shapes[weights.length]!) : null;
    this.qLogSig = hasQ ? ownedVariable(q.logSig, shapes[weights.length + 1]!) : null;
    const adam = progress?.adam ? { m: progress.adam.m.map((a, k) => tf.tensor(a, shapes[k]!)), v: progress.adam.v.map((a, k) => tf.tensor(a, shapes[k]!)), t: progress.adam.t } : null;
    this.progress = progress
      ? { ...progress, adam, bestWeights: progress.bestWeights ? [...progress.bestWeights] : null }
      : { step: 0, adam: null, bestVal: null, bestStep: 0, sinceBest: 0, bestWeights: null };
  }

  /** The shared weights, then (with all) the training levels' q(z) (μ, log σ). */
  trainables(all = true): tf.Variable[] {
    return [...this.weights, ...(all && this.qMu && this.qLogSig ? [this.qMu, this.qLogSig] : [])];
  }

  /** Copies of the trainables (all = true: with q(z)): what early stopping keeps. */
  readWeights(all = false): Float32Array[] {
    return this.trainables(all).map((w) => (w.dataSync() as Float32Array).slice());
  }

  setWeights(ws: readonly Float32Array[]): void {
    this.trainables(ws.length > this.weights.length).forEach((w, k) => {
      const t = tf.tensor(ws[k]!, w.shape);
      w.assign(t);
      t.dispose();
    });
  }

  /** The model as trained so far, with its own copy of the weights. */
  model(fitted: Fitted = this.fitted, info: ModelInfo = this.info): MetaModel {
    return MetaModel.create(this, this.weights.map((w) => tf.clone(w)), fitted, info);
  }

  /** The state frozen as plain arrays. */
  state(): TrainingState {
    const copy = (t: tf.Tensor): Float32Array => (t.dataSync() as Float32Array).slice();
    const p = this.progress;
    return {
      levelIds: this.levelIds,
      valLevelIds: this.valLevelIds,
      q: this.qMu && this.qLogSig ? { mu: copy(this.qMu), logSig: copy(this.qLogSig) } : null,
      progress: { ...p, adam: p.adam ? { m: p.adam.m.map(copy), v: p.adam.v.map(copy), t: p.adam.t } : null },
    };
  }

  dispose(): void {
    tf.dispose(this.trainables());
    if (this.progress.adam) tf.dispose([...this.progress.adam.m, ...this.progress.adam.v]);
    this.progress.adam = null;
  }
}
