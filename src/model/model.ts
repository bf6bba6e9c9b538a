// The trained meta-model (an immutable value) and the definition it shares with training: the
// hyper-parameters, the encoding and the network shape that follow from them.
import * as tf from '@tensorflow/tfjs-core';
import type { Project } from '../project/types.js';
import type { EncodingSpec } from './encoding.js';
import { outputColumns, type OutputColumns } from './outputs.js';
import { paramSpace, type ParamSpace } from './param-space.js';
import type { Encoder } from './data.js';
import { inputLayout, type InputLayout } from './inputs.js';
import { disposeNets, memberNets, type MemberNet, type NetShape } from './network.js';
import type { TypingNet } from './typing.js';
import type { Algorithm, ModelInfo as WireModelInfo } from '../rpc/protocol-types.js';

export type { Algorithm };
export const ALGORITHMS: readonly Algorithm[] = ['joint', 'reptile', 'reptile-plain', 'fomaml'];

/** What training reports (model.info): the wire type, plus the training run's own diagnostics. */
export type ModelInfo = WireModelInfo & { [k: string]: unknown };

/** Hyper-parameters (saved in meta.json). */
export interface ModelConfig {
  algorithm: Algorithm;
  seed: number;
  hidden: number;
  layers: number;
  context: number;
  ensemble: number;
  /** total optimizer steps (joint) or meta-iterations (reptile, fomaml) */
  steps: number;
  /** levels per member per step (joint) or tasks per member per meta-iteration (reptile, fomaml) */
  batchLevels: number;
  /** Adam's step size: joint's, or fomaml's outer optimizer's */
  lr: number;
  contextLr: number;
  /** Reptile and fomaml: q(z)-only steps, then `innerSteps` steps on weights + q(z); Reptile's outer step size ε0 (annealed to 0) */
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

/**
 * What a model's weights are sized by and its rows encoded with: the project, the fitted
 * encoding and the hyper-parameters, and what follows from them. Shared by the trained model and
 * the training in progress.
 */
export class ModelDefinition implements Encoder {
  readonly space: ParamSpace;
  readonly outputs: OutputColumns;
  readonly inputs: InputLayout;
  readonly shape: NetShape;

  constructor(
    readonly project: Project,
    readonly spec: EncodingSpec,
    readonly config: Readonly<ModelConfig>,
  ) {
    this.space = paramSpace(project);
    this.outputs = outputColumns(spec);
    this.inputs = inputLayout(this.space, project.params, spec.inputs);
    this.shape = netShape(this.inputs, spec, this.outputs, config);
  }

  get ensemble(): number {
    return this.config.ensemble;
  }
}

/** What training fits on the held-out levels after the weights. */
export interface Fitted {
  /** per metric (project order): how much to widen the draws' spread so held-out coverage is right */
  readonly calibration: readonly number[];
  /**
   * per internal metric position (outputs.ts): the prior sd τ of the level's own link-space
   * residual for that metric (posterior.ts); 0 = the context alone explains a level
   */
  readonly residualSd: readonly number[];
}

/** Before fitting: no widening, no per-level residual. */
export function unfitted(spec: EncodingSpec): Fitted {
  return { calibration: spec.metrics.map(() => 1), residualSd: spec.metrics.map(() => 0) };
}

/** The weights (owned) and the members' inference matrices derived from them on first use. */
class Network {
  private nets: MemberNet[] | null = null;
  constructor(
    readonly weights: readonly tf.Tensor[],
    private readonly shape: NetShape,
  ) {}

  members(): MemberNet[] {
    this.nets ??= memberNets(this.weights, this.shape);
    return this.nets;
  }

  dispose(): void {
    if (this.nets) disposeNets(this.nets);
    this.nets = null;
    tf.dispose([...this.weights]);
  }
}

/**
 * A trained meta-model, immutable: everything adaptation and balancing need — the definition,
 * the weights (ensemble members on a leading axis, [E, in, out] / [E, 1, out] per layer), the
 * fitted calibration and residual prior, and the info. The training state it came from is a
 * separate value (training.ts).
 */
export class MetaModel extends ModelDefinition implements Fitted {
  readonly calibration: readonly number[];
  readonly residualSd: readonly number[];
  readonly info: Readonly<ModelInfo>;
  /** the few-shot typing network (typing.ts), or null: the project had too few known testers per segment, or the model predates typing */
  readonly typing: Readonly<TypingNet> | null;

  private constructor(
    definition: ModelDefinition,
    private readonly network: Network,
    fitted: Fitted,
    info: ModelInfo,
    typing: TypingNet | null,
  ) {
    super(definition.project, definition.spec, definition.config);
    this.calibration = Object.freeze([...fitted.calibration]);
    this.residualSd = Object.freeze([...fitted.residualSd]);
    this.info = Object.freeze({ ...info });
    this.typing = typing === null ? null : Object.freeze({ ...typing });
  }

  /** A model owning `weights` (shaped as the definition says). */
  static create(definition: ModelDefinition, weights: readonly tf.Tensor[], fitted: Fitted, info: ModelInfo, typing: TypingNet | null = null): MetaModel {
    return new MetaModel(definition, new Network(weights, definition.shape), fitted, info, typing);
  }

  get weights(): readonly tf.Tensor[] {
    return this.network.weights;
  }

  /** Members' 2-D weights for inference. */
  members(): MemberNet[] {
    return this.network.members();
  }

  /** The same network with other fitted values or info. It shares this model's weights: dispose one of the two. */
  with(patch: Partial<Fitted> & { info?: ModelInfo; typing?: TypingNet | null }): MetaModel {
    const fitted = { calibration: patch.calibration ?? this.calibration, residualSd: patch.residualSd ?? this.residualSd };
    return new MetaModel(this, this.network, fitted, patch.info ?? this.info, patch.typing === undefined ? this.typing : patch.typing);
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** The network's layer widths for an encoding and config (what the weights are sized by). */
function netShape(inputs: InputLayout, spec: EncodingSpec, outputs: OutputColumns, config: Pick<ModelConfig, 'context' | 'hidden' | 'layers'>): NetShape {
  return {
    perPlaytest: inputs.width,
    features: 2 * spec.features.length,
    context: config.context,
    hidden: config.hidden,
    layers: config.layers,
    outputs: outputs.width,
  };
}
