// A trained model and its training state as the files of a model folder, and back. Pure: the
// folder itself is src/store's. model.json is a tfjs weights manifest, weights.bin the weights
// (tf.io.encodeWeights), meta.json the encoding, hyper-parameters, calibration, corpus summary,
// validation scores, and the optimizer / early-stopping state so training resumes exactly where
// it stopped.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Project } from '../project/types.js';
import type { EncodingSpec } from './encoding.js';
import { MetaModel, ModelDefinition, unfitted, type ModelConfig, type ModelInfo } from './model.js';
import { trainableShapes, type TrainedModel, type TrainingState } from './training.js';
import type { TypingNet } from './typing.js';

const FORMAT = 'metabalance-model';
const META = 'meta.json';
const MANIFEST = 'model.json';
const WEIGHTS = 'weights.bin';

/** A model folder's files by name. */
export type ModelFiles = Record<string, Uint8Array | string>;

interface MetaFile {
  format: typeof FORMAT;
  version: 1;
  /** what the encoding depends on: a model is refused for a project whose params/features/metrics changed */
  projectShape: unknown;
  spec: EncodingSpec;
  config: ModelConfig;
  levelIds: string[];
  valLevelIds: string[];
  calibration: number[];
  /** absent in models saved before the per-level residual: no residual */
  residualSd?: number[];
  info: ModelInfo;
  /** the typing network but its weights and prototypes (in weights.bin as typing.w<k>, typing.prototypes); absent: none */
  typing?: Omit<TypingNet, 'weights' | 'prototypes'>;
  training: { step: number; adamT: number; bestVal: number | null; bestStep: number; sinceBest: number } | null;
}

function projectShape(p: Project): unknown {
  return {
    params: p.params.map((q) => ({ ...q, group: undefined, locked: undefined, description: undefined, default: undefined })),
    features: p.features.map((f) => f.name),
    metrics: p.metrics.map((m) => [m.name, m.kind]),
  };
}

/** The files of a model folder for `trained`, saved as `modelId`. */
export async function encodeModel({ model, training }: TrainedModel, modelId: string): Promise<ModelFiles> {
  const shapes = trainableShapes(model, training.levelIds.length);
  const nW = model.weights.length;
  const made: tf.Tensor[] = [];
  /** a tensor of `shape` (flat when absent) that is disposed once the weights are encoded */
  const tensor = (a: Float32Array, shape?: number[]): tf.Tensor => {
    const t = tf.tensor(a, shape);
    made.push(t);
    return t;
  };
  const named: tf.NamedTensorMap = {};
  model.weights.forEach((w, k) => (named[`w${k}`] = w));
  if (training.q) {
    named['qMu'] = tensor(training.q.mu, shapes[nW]);
    named['qLogSig'] = tensor(training.q.logSig, shapes[nW + 1]);
  }
  const st = training.progress;
  st?.adam?.m.forEach((a, k) => (named[`adam.m${k}`] = tensor(a, shapes[k])));
  st?.adam?.v.forEach((a, k) => (named[`adam.v${k}`] = tensor(a, shapes[k])));
  st?.bestWeights?.forEach((a, k) => (named[`best${k}`] = tensor(a, shapes[k])));
  const typing = model.typing;
  if (typing) {
    typing.weights.forEach((a, k) => (named[`typing.w${k}`] = tensor(a)));
    named['typing.prototypes'] = tensor(typing.prototypes);
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  tf.dispose(made);
  const meta: MetaFile = {
    format: FORMAT,
    version: 1,
    projectShape: projectShape(model.project),
    spec: model.spec,
    config: model.config,
    levelIds: [...training.levelIds],
    valLevelIds: [...training.valLevelIds],
    calibration: [...model.calibration],
    residualSd: [...model.residualSd],
    info: { ...model.info, modelId },
    ...(typing ? { typing: { segments: typing.segments, shape: typing.shape, center: typing.center, scale: typing.scale, inputTesters: typing.inputTesters } } : {}),
    training: st ? { step: st.step, adamT: st.adam?.t ?? 0, bestVal: st.bestVal, bestStep: st.bestStep, sinceBest: st.sinceBest } : null,
  };
  const manifest = { format: FORMAT, weightsManifest: [{ paths: [WEIGHTS], weights: specs }] };
  return {
    [MANIFEST]: `${JSON.stringify(manifest, null, 1)}\n`,
    [WEIGHTS]: new Uint8Array(data),
    [META]: `${JSON.stringify(meta, null, 1)}\n`,
  };
}

/** A model folder's files (read from `dir`, named in errors) back as a model and its training state. Needs an initialised backend. */
export function decodeModel(files: ReadonlyMap<string, Uint8Array>, dir: string, project: Project): TrainedModel {
  const text = (name: string): string => {
    const bytes = files.get(name);
    if (!bytes) throw new Error(`${path.join(dir, name)}: missing from the model folder`);
    return Buffer.from(bytes).toString('utf8');
  };
  const metaFile = path.join(dir, META);
  const meta = JSON.parse(text(META)) as MetaFile;
  if (meta.format !== FORMAT || meta.version !== 1) throw new Error(`${metaFile}: not a metabalance model (format/version)`);
  if (JSON.stringify(projectShape(project)) !== JSON.stringify(meta.projectShape)) {
    throw new Error(`${metaFile}: the model was trained for a different project definition (params, features or metrics changed); train again`);
  }
  const manifest = JSON.parse(text(MANIFEST)) as {
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const group = manifest.weightsManifest[0]!;
  const weightsFile = group.paths[0]!;
  const buf = files.get(weightsFile);
  if (!buf) throw new Error(`${path.join(dir, weightsFile)}: missing from the model folder`);
  const data = new ArrayBuffer(buf.byteLength);
  new Uint8Array(data).set(buf);
  const named = tf.io.decodeWeights(data, group.weights);
  const read = (name: string): Float32Array | null => {
    const t = named[name];
    return t ? (t.dataSync() as Float32Array).slice() : null;
  };
  const count = (pattern: RegExp): number => Object.keys(named).filter((k) => pattern.test(k)).length;
  const weights = Array.from({ length: count(/^w\d+$/) }, (_, k) => named[`w${k}`]!);
  const mu = read('qMu');
  const logSig = read('qLogSig');
  let progress: TrainingState['progress'] = null;
  if (meta.training) {
    const { step, adamT, bestVal, bestStep, sinceBest } = meta.training;
    const nA = count(/^adam\.m\d+$/);
    const nB = count(/^best\d+$/);
    progress = {
      step,
      bestVal,
      bestStep,
      sinceBest,
      adam: nA > 0 ? { m: Array.from({ length: nA }, (_, k) => read(`adam.m${k}`)!), v: Array.from({ length: nA }, (_, k) => read(`adam.v${k}`)!), t: adamT } : null,
      bestWeights: nB > 0 ? Array.from({ length: nB }, (_, k) => read(`best${k}`)!) : null,
    };
  }
  const typing: TypingNet | null = meta.typing
    ? { ...meta.typing, weights: Array.from({ length: count(/^typing\.w\d+$/) }, (_, k) => read(`typing.w${k}`)!), prototypes: read('typing.prototypes')! }
    : null;
  tf.dispose(Object.values(named).filter((t) => !weights.includes(t)));
  const definition = new ModelDefinition(project, meta.spec, meta.config);
  const fitted = { calibration: meta.calibration, residualSd: meta.residualSd ?? unfitted(meta.spec).residualSd };
  return {
    model: MetaModel.create(definition, weights, fitted, meta.info, typing),
    training: { levelIds: meta.levelIds, valLevelIds: meta.valLevelIds, q: mu && logSig ? { mu, logSig } : null, progress },
  };
}
