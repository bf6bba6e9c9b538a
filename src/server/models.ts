// The model in use. The server swaps it after training (replace) or after project.json changed
// (refit); whoever runs the balancing service on it (in process, or the worker pool) hears of
// every swap through onChange.
import type { Project } from '../project/types.js';
import { noModel } from '../rpc/methods/model.js';
import { latestModelFolder } from '../store/model-folders.js';
import { loadModelFolder } from '../store/model-store.js';
import type { LoadedModel, ModelAccess } from '../rpc/services.js';

/** The model in use and the folder it was loaded from (what a worker thread loads too). */
export interface ModelInUse extends LoadedModel {
  readonly dir: string;
}

export class ModelRegistry implements ModelAccess {
  private loaded: ModelInUse | null = null;
  private readonly listeners: ((next: ModelInUse | null) => void)[] = [];

  current(): ModelInUse | null {
    return this.loaded;
  }

  /** the model in use, or RpcError(NoModel) */
  require(): ModelInUse {
    if (!this.loaded) throw noModel();
    return this.loaded;
  }

  /** `listener` is called on every swap, before the old model is disposed. */
  onChange(listener: (next: ModelInUse | null) => void): void {
    this.listeners.push(listener);
  }

  /** Loads the newest complete model folder, if any, and uses it. */
  async loadLatest(projectDir: string, project: Project): Promise<ModelInUse | null> {
    const folder = await latestModelFolder(projectDir);
    if (!folder) return null;
    // the folder found is the one loaded (and the one the workers load), even if training saves a newer one meanwhile
    const model = await loadModelFolder(folder, project);
    const loaded = { id: folder.id, model, dir: folder.dir };
    this.replace(loaded);
    return loaded;
  }

  /** Swaps the model in one step; the old one and every adaptation of it are released. */
  replace(next: ModelInUse | null): void {
    const old = this.loaded;
    this.loaded = next;
    for (const listener of this.listeners) listener(next);
    if (old && old !== next) old.model.dispose();
  }

  async refit(projectDir: string, project: Project): Promise<boolean> {
    if (!this.loaded) return false;
    try {
      // Loading checks the saved model against the definition; nothing else knows its shape.
      const reloaded = await this.loadLatest(projectDir, project);
      if (!reloaded) this.replace(null);
      return reloaded !== null;
    } catch {
      this.replace(null);
      return false;
    }
  }

  dispose(): void {
    this.replace(null);
  }
}
