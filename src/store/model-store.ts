// Trained models in a project's models/ folder: saving encodes the model and its training state
// (src/model/model-file.ts) into a new model folder written atomically (model-folders.ts);
// loading decodes a folder, or the newest complete one.
import type { Project } from '../project/types.js';
import { initBackend } from '../model/backend.js';
import { decodeModel, encodeModel } from '../model/model-file.js';
import type { MetaModel } from '../model/model.js';
import type { TrainedModel } from '../model/training.js';
import { latestModelFolder, newModelId, readModelFolder, writeModelFolder } from './model-folders.js';

/** Writes models/<modelId>/ atomically; returns the model id (the model's info is recorded with it in meta.json). */
export async function saveModel(trained: TrainedModel, projectDir: string): Promise<string> {
  const id = newModelId();
  await writeModelFolder(projectDir, id, await encodeModel(trained, id));
  return id;
}

/** A model folder written by saveModel: the model and the state its training stopped in (to resume). */
export async function loadModelDir(dir: string, project: Project): Promise<TrainedModel> {
  await initBackend();
  return decodeModel(await readModelFolder(dir), dir, project);
}

/** The newest complete model of a project, its info's modelId its folder's; null when there is none. */
export async function loadLatestModel(projectDir: string, project: Project): Promise<MetaModel | null> {
  const latest = await latestModelFolder(projectDir);
  if (!latest) return null;
  const { model } = await loadModelDir(latest.dir, project);
  return model.with({ info: { ...model.info, modelId: latest.id } });
}
