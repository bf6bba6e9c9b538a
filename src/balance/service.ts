// The balancing flow, written once: a level's playtests → the model adapted to that level → the
// level's current settings (levelBase) → balance, suggest or predict. The CLI, the server's
// balancing workers and the bench go through here; src/balance/index.ts is the search it drives.
//
// Adapting costs far more than a prediction, so a service may keep adapted predictors (per level,
// its features and its playtests): a what-if slider then costs one forward pass. Without a cache
// every call adapts and disposes its predictor.
import { createHash } from 'node:crypto';
import { adaptLevel, type LevelPredictor, type MetaModel } from '../model/index.js';
import type { Level, ParamValues, Playtest } from '../project/types.js';
import {
  balanceLevel,
  levelBase,
  predictAt,
  suggestPlaytests,
  type BalanceResult,
  type Prediction,
  type SearchBudget,
  type SearchObjective,
  type Suggestion,
} from './index.js';
import { withSegments } from './segments.js';

/** A level and the playtests to adapt to. */
export interface LevelInput {
  readonly level: Level;
  readonly playtests: readonly Playtest[];
  /** 'stored': the store's playtests of the level, which only ever grow, so their count names
   *  them in the cache (and a newer count replaces the older entry); 'inline' (default): playtests
   *  a request brought along, named by a digest */
  readonly source?: 'stored' | 'inline';
}

/** What balance and suggest share: which params may move and how the search runs. */
export interface SearchSettings {
  allowGeneration?: boolean;
  /** params kept at the level's value (besides those locked in project.json) */
  locked?: readonly string[];
  seed?: number;
  /** weight of staying near the level's current settings (default DEFAULT_STAY_NEAR) */
  stayNear?: number;
  objective?: SearchObjective;
  budget?: SearchBudget;
}

export interface BalanceAnswer extends BalanceResult {
  /** the level's current settings, which the search starts from and stays near */
  current: ParamValues;
}

/** How a model is adapted to a level's playtests (the product's is adaptLevel; the bench compares others). */
export type Adapter = (model: MetaModel, level: Level, playtests: readonly Playtest[]) => LevelPredictor;

export interface ServiceOptions {
  /** adapted predictors kept, least recently used dropped first (default 0: none kept) */
  cacheSize?: number;
  /** how the model adapts to a level (default adaptLevel) */
  adapt?: Adapter;
}

export class BalancingService {
  /** insertion order = recency (a hit is re-inserted), so the first key is the least recent */
  private readonly cache = new Map<string, LevelPredictor>();
  /** level id → the cache key of its stored-playtests predictor */
  private readonly storedKey = new Map<string, string>();
  private readonly cacheSize: number;
  private readonly adapter: Adapter;

  /** `model` stays the caller's: dispose() releases the adaptations, not the model. */
  constructor(
    readonly model: MetaModel,
    opts: ServiceOptions = {},
  ) {
    this.cacheSize = opts.cacheSize ?? 0;
    this.adapter = opts.adapt ?? ((model, level, playtests) => adaptLevel(model, level, playtests));
  }

  balance(input: LevelInput, settings: SearchSettings = {}): BalanceAnswer {
    const current = levelBase(this.model.project, input.playtests);
    return this.withPredictor(input, (predictor) => ({
      ...balanceLevel(this.model.project, this.model.space, predictor, {
        ...settings,
        base: current,
      }),
      current,
    }));
  }

  suggest(input: LevelInput, count: number, settings: SearchSettings = {}): Suggestion[] {
    const base = levelBase(this.model.project, input.playtests);
    return this.withPredictor(input, (predictor) =>
      suggestPlaytests(this.model.project, this.model.space, predictor, {
        ...settings,
        count,
        base,
      }),
    );
  }

  /** The model's view of given settings (missing params take their defaults). */
  predict(input: LevelInput, params: Partial<ParamValues>): Prediction {
    return this.withPredictor(input, (predictor) => predictAt(this.model.project, this.model.space, predictor, params));
  }

  /** Runs `use` with the level's predictor, which stays the service's: kept in the cache or disposed after. */
  withPredictor<T>(input: LevelInput, use: (predictor: LevelPredictor) => T): T {
    if (this.cacheSize === 0) {
      const predictor = this.adapt(input);
      try {
        return use(predictor);
      } finally {
        predictor.dispose();
      }
    }
    return use(this.cached(input));
  }

  /** Releases every kept adaptation. */
  dispose(): void {
    for (const p of this.cache.values()) p.dispose();
    this.cache.clear();
    this.storedKey.clear();
  }

  /** The level's predictor, with a column block per segment a target names. */
  private adapt(input: LevelInput): LevelPredictor {
    const predictor = this.adapter(this.model, input.level, input.playtests);
    try {
      return withSegments(this.model, this.model.project, predictor);
    } catch (e) {
      predictor.dispose();
      throw e;
    }
  }

  private cached(input: LevelInput): LevelPredictor {
    const { level, playtests } = input;
    const which = input.source === 'stored' ? `stored:${playtests.length}` : `inline:${digest(playtests)}`;
    const key = `${level.id}\0${JSON.stringify(level.features ?? {})}\0${which}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const predictor = this.adapt(input);
    if (input.source === 'stored') {
      const previous = this.storedKey.get(level.id);
      if (previous !== undefined) this.evict(previous);
      this.storedKey.set(level.id, key);
    }
    this.cache.set(key, predictor);
    while (this.cache.size > this.cacheSize) this.evict(this.cache.keys().next().value as string);
    return predictor;
  }

  private evict(key: string): void {
    this.cache.get(key)?.dispose();
    this.cache.delete(key);
  }
}

function digest(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}
