// The trained meta-model: encoding, network shape and weights (ensemble members on a leading
// axis), every training level's context posterior, the spread calibration, and — while training
// or in a checkpoint — the optimizer state needed to resume.
import * as tf from '@tensorflow/tfjs-core';
import type { Project } from '../project/types.js';
import type { AdamState } from './adam.js';
import type { EncodingSpec } from './encoding.js';
import { outputColumns, type OutputColumns } from './outputs.js';
import { paramSpace, type ParamSpace } from './param-space.js';
import type { Encoder } from './data.js';
import { inputLayout, type InputLayout } from './inputs.js';
import { layerSizes, type NetShape } from './network.js';

export type Algorithm = 'joint' | 'reptile' | 'reptile-plain';
export const ALGORITHMS: readonly Algorithm[] = ['joint', 'reptile', 'reptile-plain'];

export interface ModelInfo {
  modelId?: string;
  algorithm: Algorithm;
  seed: number;
  steps: number;
  trainedAt: string;
  backend: string;
  corpus: { levels: number; playtests: number };
  validation: Record<string, number>;
  [k: string]: unknown;
}

export interface MetaModel {
  readonly project: Project;
  readonly space: ParamSpace;
  readonly info: ModelInfo;
  dispose(): void;
}

/** Hyper-parameters (saved in meta.json). */
export interface ModelConfig {
  algorithm: Algorithm;
  seed: number;
  hidden: number;
  layers: number;
  context: number;
  ensemble: number;
  /** total optimizer steps (joint) or meta-iterations (reptile) */
  steps: number;
  /** levels per member per step (joint) or tasks per member per meta-iteration (reptile) */
  batchLevels: number;
  lr: number;
  contextLr: number;
  /** Reptile: q(z)-only steps, then `innerSteps` steps on weights + q(z), and the outer step size ε0 (annealed to 0) */
  contextSteps: number;
  innerSteps: number;
  innerLr: number;
  outerLr: number;
  /** extra network inputs (inputs.ts): params on their other scale, the playtest's tester */
  rescaleInputs: boolean;
  testerInputs: boolean;
  /** weight prior: Σ w² · weightDecay / 2 per playtest */
  weightDecay: number;
  evalEvery: number;
  patience: number;
  /** playtests a validation level is adapted on (the rest are scored) */
  valAdapt: number;
}

/** What early stopping and resuming carry between steps. */
export interface TrainProgressState {
  step: number;
  adam: AdamState | null;
  bestVal: number | null;
  bestStep: number;
  sinceBest: number;
  /** weights and q(z) at the best validation score (Model.readWeights(true)) */
  bestWeights: Float32Array[] | null;
}

/** One ensemble member's weights as 2-D matrices, the first layer split by input block. */
export interface MemberNet {
  w1x: tf.Tensor2D;
  w1f: tf.Tensor2D;
  w1z: tf.Tensor2D | null;
  b1: tf.Tensor2D;
  rest: tf.Tensor[];
}

export class Model implements MetaModel, Encoder {
  readonly space: ParamSpace;
  readonly outputs: OutputColumns;
  readonly inputs: InputLayout;
  readonly shape: NetShape;
  info: ModelInfo;
  /** per metric (project order): how much to widen the draws' spread so held-out coverage is right */
  calibration: number[];
  /**
   * per internal metric position (outputs.ts): the prior sd τ of the level's own
   * link-space residual for that metric (posterior.ts); 0 = the context alone explains a level
   */
  residualSd: number[];
  /** [E, in, out] / [E, 1, out] per layer */
  weights: tf.Variable[];
  /** every training level's q(z) = N(mu, exp(logSig)²), rows e·L + level; null without a context */
  qMu: tf.Variable | null;
  qLogSig: tf.Variable | null;
  training: TrainProgressState | null = null;
  /** levels held out for validation and calibration */
  valLevelIds: string[] = [];
  private nets: MemberNet[] | null = null;

  constructor(
    readonly project: Project,
    readonly spec: EncodingSpec,
    readonly config: ModelConfig,
    readonly levelIds: string[],
    weights: Float32Array[],
    q: { mu: Float32Array; logSig: Float32Array } | null,
    info: ModelInfo,
  ) {
    this.space = paramSpace(project);
    this.outputs = outputColumns(spec);
    this.inputs = inputLayout(this.space, project.params, spec.inputs);
    this.shape = netShape(this.inputs, spec, this.outputs, config);
    const E = config.ensemble;
    const shapes = layerSizes(this.shape).flatMap(([i, o]) => [
      [E, i, o],
      [E, 1, o],
    ]);
    this.weights = weights.map((w, k) => ownedVariable(w, shapes[k]!));
    const Z = config.context;
    this.qMu = q && Z > 0 ? ownedVariable(q.mu, [E * levelIds.length, Z]) : null;
    this.qLogSig = q && Z > 0 ? ownedVariable(q.logSig, [E * levelIds.length, Z]) : null;
    this.info = info;
    this.calibration = spec.metrics.map(() => 1);
    this.residualSd = spec.metrics.map(() => 0);
  }

  get ensemble(): number {
    return this.config.ensemble;
  }

  /** Members' 2-D weights for inference (cached until the weights change). */
  members(): MemberNet[] {
    this.nets ??= memberNets(this.weights, this.shape);
    return this.nets;
  }

  /** Call after changing the weights in place. */
  weightsChanged(): void {
    this.disposeNets();
  }

  /** The shared weights, then (with all = true) the training levels' q(z) (μ, log σ): what early stopping keeps. */
  readWeights(all = false): Float32Array[] {
    return this.trainables(all).map((w) => (w.dataSync() as Float32Array).slice());
  }

  setWeights(ws: readonly Float32Array[]): void {
    this.trainables(ws.length > this.weights.length).forEach((w, k) => {
      const t = tf.tensor(ws[k]!, w.shape);
      w.assign(t);
      t.dispose();
    });
    this.weightsChanged();
  }

  trainables(all = true): tf.Variable[] {
    return [...this.weights, ...(all && this.qMu && this.qLogSig ? [this.qMu, this.qLogSig] : [])];
  }

  private disposeNets(): void {
    if (!this.nets) return;
    disposeNets(this.nets);
    this.nets = null;
  }

  dispose(): void {
    this.disposeNets();
    tf.dispose([...this.weights, ...(this.qMu ? [this.qMu] : []), ...(this.qLogSig ? [this.qLogSig] : [])]);
    if (this.training?.adam) tf.dispose([...this.training.adam.m, ...this.training.adam.v]);
    this.training = null;
  }
}

/** A variable holding a copy of `data` (the temporary tensor is released). */
function ownedVariable(data: Float32Array, shape: number[]): tf.Variable {
  const t = tf.tensor(data, shape);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** The network's layer widths for an encoding and config (what the weights are sized by). */
export function netShape(inputs: InputLayout, spec: EncodingSpec, outputs: OutputColumns, config: Pick<ModelConfig, 'context' | 'hidden' | 'layers'>): NetShape {
  return {
    perPlaytest: inputs.width,
    features: 2 * spec.features.length,
    context: config.context,
    hidden: config.hidden,
    layers: config.layers,
    outputs: outputs.width,
  };
}

/** Split batched weights [E, in, out] into each member's 2-D matrices (kept; dispose with disposeNets). */
export function memberNets(weights: readonly tf.Tensor[], shape: NetShape): MemberNet[] {
  const { perPlaytest: P, features: F2, context: Z, hidden: H } = shape;
  const E = weights[0]!.shape[0]!;
  const nets: MemberNet[] = [];
  for (let e = 0; e < E; e++) {
    const pick = (t: tf.Tensor): tf.Tensor => tf.tidy(() => tf.squeeze(tf.slice(t, [e, 0, 0], [1, -1, -1]), [0]));
    const w1 = pick(weights[0]!) as tf.Tensor2D;
    const net: MemberNet = {
      w1x: tf.slice(w1, [0, 0], [P, H]),
      w1f: tf.slice(w1, [P, 0], [F2, H]),
      w1z: Z > 0 ? tf.slice(w1, [P + F2, 0], [Z, H]) : null,
      b1: pick(weights[1]!) as tf.Tensor2D,
      rest: weights.slice(2).map(pick),
    };
    for (const t of netTensors(net)) tf.keep(t);
    nets.push(net);
    w1.dispose();
  }
  return nets;
}

function netTensors(n: MemberNet): tf.Tensor[] {
  return [n.w1x, n.w1f, n.b1, ...n.rest, ...(n.w1z ? [n.w1z] : [])];
}

export function disposeNets(nets: readonly MemberNet[]): void {
  for (const n of nets) tf.dispose(netTensors(n));
}
