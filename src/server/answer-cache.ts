// Answers of level.balance, level.suggest and level.predict, kept in front of the balancing service
// (on the event loop, before the worker pool). Balancing is deterministic, and a designer's tools
// re-ask for levels whose data did not change, so a repeated request is answered without the ~40 ms
// of CPU a balance costs: with 50 clients in a closed loop, only answers that are not recomputed
// can reach hundreds a second on 2 cores.
//
// The key is everything an answer depends on: the model in use, the method and its settings, the
// level as stored, and its playtests — the stored ones by their count (they only ever grow while
// the project stays the same), inline ones by their content. Every model swap (training, or
// project.update's refit, which is the only way the project changes) empties the cache, and an
// answer still being computed across a swap is not kept.
import { createHash } from 'node:crypto';
import type { LevelInput } from '../balance/service.js';
import type { BalancingAccess } from '../rpc/services.js';
import { canonicalJson } from '../util/json.js';
import type { ModelRegistry } from './models.js';

export interface AnswerCacheLimits {
  /** answers kept, least recently used dropped first */
  entries: number;
  /** their JSON text, summed (the heap holds a few times that) */
  bytes: number;
}

/** A balance answer is under 1 KB of JSON and a suggestion of 3 about 2 KB (`metabalance balance
 *  --json` / `suggest --json` print the same objects), so 4,096 of them (every level of a large
 *  project, with room for a few seeds each) take a few MB; the byte cap binds first only for large
 *  suggest counts or many distinct inline-playtest requests. */
export const ANSWER_CACHE: AnswerCacheLimits = { entries: 4096, bytes: 32 * 2 ** 20 };

/** What /health reports: how often a request was answered without computing it. */
export interface AnswerCacheStats {
  /** answered from a kept answer */
  hits: number;
  /** answered by joining an identical request still being computed */
  joined: number;
  /** computed */
  misses: number;
  entries: number;
  bytes: number;
}

interface Kept {
  answer: unknown;
  bytes: number;
}

export class AnswerCache implements BalancingAccess {
  /** insertion order = recency (a hit is re-inserted), so the first key is the least recent */
  private readonly kept = new Map<string, Kept>();
  private readonly running = new Map<string, Promise<unknown>>();
  /** bumped by every model swap: an answer computed on an older model is not kept */
  private generation = 0;
  private readonly counts = { hits: 0, joined: 0, misses: 0, bytes: 0 };

  constructor(
    private readonly inner: BalancingAccess,
    private readonly models: ModelRegistry,
    private readonly limits: AnswerCacheLimits = ANSWER_CACHE,
  ) {
    models.onChange(() => this.clear());
  }

  balance: BalancingAccess['balance'] = (input, settings) => this.answer(input, { op: 'balance', settings }, () => this.inner.balance(input, settings));
  suggest: BalancingAccess['suggest'] = (input, count, settings) =>
    this.answer(input, { op: 'suggest', count, settings }, () => this.inner.suggest(input, count, settings));
  predict: BalancingAccess['predict'] = (input, params) => this.answer(input, { op: 'predict', params }, () => this.inner.predict(input, params));

  stats(): AnswerCacheStats {
    const { hits, joined, misses, bytes } = this.counts;
    return { hits, joined, misses, entries: this.kept.size, bytes };
  }

  /** Not async, and a miss returns the service's own promise: a computed answer is sent as soon
   *  as it would be without the cache (the bookkeeping runs beside it, registered first). */
  private answer<T>(input: LevelInput, request: object, compute: () => Promise<T>): Promise<T> {
    let key: string;
    try {
      key = this.key(input, request);
    } catch (err) {
      return Promise.reject(err);
    }
    const kept = this.kept.get(key);
    if (kept) {
      this.counts.hits++;
      this.kept.delete(key);
      this.kept.set(key, kept);
      return Promise.resolve(kept.answer as T);
    }
    const running = this.running.get(key);
    if (running) {
      this.counts.joined++;
      return running as Promise<T>;
    }
    this.counts.misses++;
    const generation = this.generation;
    const computing = compute();
    this.running.set(key, computing);
    const settled = (answer?: T): void => {
      if (this.running.get(key) === computing) this.running.delete(key);
      if (answer !== undefined && generation === this.generation) this.keep(key, answer);
    };
    // errors are the caller's to handle (and are not kept); this branch only settles the entry
    computing.then(settled, () => settled());
    return computing;
  }

  private key(input: LevelInput, request: object): string {
    const { level, playtests, source } = input;
    const model = this.models.require().id;
    const data = source === 'stored' ? { stored: playtests.length } : { inline: playtests };
    return createHash('sha256').update(canonicalJson({ model, level, data, request })).digest('base64');
  }

  private keep(key: string, answer: unknown): void {
    const bytes = key.length + (JSON.stringify(answer)?.length ?? 0);
    if (bytes > this.limits.bytes) return;
    this.kept.set(key, { answer, bytes });
    this.counts.bytes += bytes;
    while (this.kept.size > this.limits.entries || this.counts.bytes > this.limits.bytes) {
      const [oldest, dropped] = this.kept.entries().next().value as [string, Kept];
      this.kept.delete(oldest);
      this.counts.bytes -= dropped.bytes;
    }
  }

  private clear(): void {
    this.generation++;
    this.kept.clear();
    this.running.clear();
    this.counts.bytes = 0;
  }
}
