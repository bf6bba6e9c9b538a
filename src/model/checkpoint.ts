// Model folders: model.json (a tfjs weights manifest), weights.bin (tf.io.encodeWeights) and
// meta.json (encoding, hyper-parameters, calibration, corpus summary, validation scores, and the
// optimizer / early-stopping state so training resumes exactly where it stopped).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Project } from '../project/types.js';
import { latestModelFolder, newModelId, writeModelFolder } from '../store/model-folders.js';
import { initBackend } from './backend.js';
import type { EncodingSpec } from './encoding.js';
import { Model, type MetaModel, type ModelConfig, type ModelInfo } from './model.js';

const FORMAT = 'metabalance-model';

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
  training: { step: number; adamT: number; bestVal: number | null; bestStep: number; sinceBest: number } | null;
}

function projectShape(p: Project): unknown {
  return {
    params: p.params.map((q) => ({ ...q, group: undefined, locked: undefined, description: undefined, default: undefined })),
    features: p.features.map((f) => f.name),
    metrics: p.metrics.map((m) => [m.name, m.kind]),
  };
}

function asModel(m: MetaModel): Model {
  if (!(m instanceof Model)) throw new TypeError('saveModel: not a model from trainModel/loadLatestModel');
  return m;
}

/** Writes models/<modelId>/ atomically; returns the model id. */
export async function saveModel(model: MetaModel, projectDir: string): Promise<string> {
  const m = asModel(model);
  const id = newModelId();
  const named: tf.NamedTensorMap = {};
  m.weights.forEach((w, k) => (named[`w${k}`] = w));
  if (m.qMu && m.qLogSig) {
    named['qMu'] = m.qMu;
    named['qLogSig'] = m.qLogSig;
  }
  const st = m.training;
  st?.adam?.m.forEach((t, k) => (named[`adam.m${k}`] = t));
  st?.adam?.v.forEach((t, k) => (named[`adam.v${k}`] = t));
  const shapes = m.trainables().map((v) => v.shape);
  const best = st?.bestWeights?.map((a, k) => tf.tensor(a, shapes[k]!)) ?? [];
  best.forEach((t, k) => (named[`best${k}`] = t));
  const { data, specs } = await tf.io.encodeWeights(named);
  tf.dispose(best);
  const info = { ...m.info, modelId: id };
  const meta: MetaFile = {
    format: FORMAT,
    version: 1,
    projectShape: projectShape(m.project),
    spec: m.spec,
    config: m.config,
    levelIds: m.levelIds,
    valLevelIds: m.valLevelIds,
    calibration: m.calibration,
    residualSd: m.residualSd,
    info,
    training: st ? { step: st.step, adamT: st.adam?.t ?? 0, bestVal: st.bestVal, bestStep: st.bestStep, sinceBest: st.sinceBest } : null,
  };
  const manifest = { format: FORMAT, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  await writeModelFolder(projectDir, id, {
    'model.json': `${JSON.stringify(manifest, null, 1)}\n`,
    'weights.bin': new Uint8Array(data),
    'meta.json': `${JSON.stringify(meta, null, 1)}\n`,
  });
  m.info = info;
  return id;
}

/** Loads a model folder written by saveModel. */
export async function loadModelDir(dir: string, project: Project): Promise<Model> {
  await initBackend();
  const metaFile = path.join(dir, 'meta.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8')) as MetaFile;
  if (meta.format !== FORMAT || meta.version !== 1) throw new Error(`${metaFile}: not a metabalance model (format/version)`);
  if (JSON.stringify(projectShape(project)) !== JSON.stringify(meta.projectShape)) {
    throw new Error(`${metaFile}: the model was trained for a different project definition (params, features or metrics changed); train again`);
  }
  const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const group = manifest.weightsManifest[0]!;
  const buf = await readFile(path.join(dir, group.paths[0]!));
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), group.weights);
  const read = (name: string): Float32Array | null => {
    const t = named[name];
    return t ? ((t.dataSync() as Float32Array).slice()) : null;
  };
  const nW = Object.keys(named).filter((k) => /^w\d+$/.test(k)).length;
  const weights = Array.from({ length: nW }, (_, k) => read(`w${k}`)!);
  const mu = read('qMu');
  const logSig = read('qLogSig');
  const model = new Model(project, meta.spec, meta.config, meta.levelIds, weights, mu && logSig ? { mu, logSig } : null, meta.info);
  model.valLevelIds = meta.valLevelIds;
  model.calibration = meta.calibration;
  if (meta.residualSd) model.residualSd = meta.residualSd;
  if (meta.training) {
    const nA = Object.keys(named).filter((k) => k.startsWith('adam.m')).length;
    const adam =
      nA > 0
        ? { m: Array.from({ length: nA }, (_, k) => tf.clone(named[`adam.m${k}`]!)), v: Array.from({ length: nA }, (_, k) => tf.clone(named[`adam.v${k}`]!)), t: meta.training.adamT }
        : null;
    const nB = Object.keys(named).filter((k) => /^best\d+$/.test(k)).length;
    const best = nB > 0 ? Array.from({ length: nB }, (_, k) => read(`best${k}`)!) : null;
    model.training = { ...meta.training, adam, bestWeights: best };
  }
  tf.dispose(Object.values(named));
  return model;
}

export async function loadLatestModel(projectDir: string, project: Project): Promise<Model | null> {
  const latest = await latestModelFolder(projectDir);
  if (!latest) return null;
  const model = await loadModelDir(latest.dir, project);
  model.info = { ...model.info, modelId: latest.id };
  return model;
}
