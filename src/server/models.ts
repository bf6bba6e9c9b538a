// The model in use and its per-level adaptations. Adapting costs far more than a prediction, so
// adapted predictors are cached per (model, level, its playtests): a what-if slider then costs
// one forward pass. Everything here runs synchronously on the event loop, so a predictor is
// never disposed while a request is using it.
import { createHash } from 'node:crypto';
import { adaptLevel, type LevelPredictor } from '../model/index.js';
import { loadLatestModel } from '../store/model-store.js';
import type { Level, Playtest, Project } from '../project/types.js';
import { latestModelFolder } from '../store/model-folders.js';
import type { LoadedModel, ModelAccess } from '../rpc/services.js';

const MAX_CACHED = 256;

export class ModelRegistry implements ModelAccess {
  private loaded: LoadedModel | null = null;
  /** insertion order = recency (a hit is re-inserted), so the first key is the least recent */
  private readonly cache = new Map<string, LevelPredictor>();
  /** level id → the cache key of its stored-playtests predictor (older ones are dropped) */
  private readonly storedKey = new Map<string, string>();

  current(): LoadedModel | null {
    return this.loaded;
  }

  /** Loads the newest complete model folder, if any, and uses it. */
  async loadLatest(projectDir: string, project: Project): Promise<LoadedModel | null> {
    const folder = await latestModelFolder(projectDir);
    if (!folder) return null;
    const model = await loadLatestModel(projectDir, project);
    if (!model) return null;
    const loaded = { id: typeof model.info.modelId === 'string' ? model.info.modelId : folder.id, model };
    this.replace(loaded);
    return loaded;
  }

  /** Swaps the model in one step; the old one and every adaptation of it are released. */
  replace(next: LoadedModel | null): void {
    const old = this.loaded;
    this.loaded = next;
    this.clearCache();
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

  private clearCache(): void {
    for (const p of this.cache.values()) p.dispose();
    this.cache.clear();
    this.storedKey.clear();
  }

  predictor(loaded: LoadedModel, level: Level, playtests: readonly Playtest[], source: 'stored' | 'inline'): LevelPredictor {
    const features = JSON.stringify(level.features ?? {});
    const which = source === 'stored' ? `stored:${playtests.length}` : `inline:${digest(playtests)}`;
    const key = `${loaded.id}\0${level.id}\0${features}\0${which}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const predictor = adaptLevel(loaded.model, level, playtests);
    if (source === 'stored') {
      const previous = this.storedKey.get(level.id);
      if (previous !== undefined) this.evict(previous);
      this.storedKey.set(level.id, key);
    }
    this.cache.set(key, predictor);
    while (this.cache.size > MAX_CACHED) this.evict(this.cache.keys().next().value as string);
    return predictor;
  }

  private evict(key: string): void {
    this.cache.get(key)?.dispose();
    this.cache.delete(key);
  }

  dispose(): void {
    this.replace(null);
  }
}

function digest(playtests: readonly Playtest[]): string {
  return createHash('sha1').update(JSON.stringify(playtests)).digest('hex');
}
