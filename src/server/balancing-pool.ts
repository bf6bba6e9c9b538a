// The balancing service off the event loop: one worker thread per core, each with the model in use
// loaded once and its own cache of adapted predictors. A level always goes to the same worker (by
// a hash of its id), so its adaptation is cached there and a what-if slider costs one forward pass.
//
// worker_threads directly rather than piscina: piscina hands a task to whichever worker is free,
// which would scatter a level's calls over every worker's cache, and it has no way to tell every
// worker that the model changed; what is left (a queue per worker, restart on exit) is short.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../project/errors.js';
import { ErrorCode, RpcError, type ErrorCodeValue } from '../rpc/errors.js';
import type { BalancingAccess } from '../rpc/services.js';
import type { Call, CallResult, FromWorker, ToWorker, WireError } from './balancing-messages.js';
import type { ModelInUse, ModelRegistry } from './models.js';
import type { Project } from '../project/types.js';

interface Pending {
  resolve(result: CallResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

function unwire(error: WireError): Error {
  if (error.kind === 'input') return new InputError(error.problems, error.summary);
  if (error.kind === 'rpc') return new RpcError(error.code as ErrorCodeValue, error.message, error.data);
  return new Error(error.message);
}

export class BalancingPool implements BalancingAccess {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;
  private model: ToWorker & { type: 'model' } = { type: 'model', model: null };

  constructor(
    private readonly models: ModelRegistry,
    private readonly project: () => Project,
    private readonly log: (message: string) => void,
    size = availableParallelism(),
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ worker: this.spawn(), pending: new Map() }));
    this.slots.forEach((slot) => this.watch(slot));
    models.onChange((next) => this.use(next));
    this.use(models.current());
  }

  get size(): number {
    return this.slots.length;
  }

  balance: BalancingAccess['balance'] = async (input, settings) =>
    (await this.call({ op: 'balance', input, settings })) as Awaited<ReturnType<BalancingAccess['balance']>>;
  suggest: BalancingAccess['suggest'] = async (input, count, settings) =>
    (await this.call({ op: 'suggest', input, count, settings })) as Awaited<ReturnType<BalancingAccess['suggest']>>;
  predict: BalancingAccess['predict'] = async (input, params) =>
    (await this.call({ op: 'predict', input, params })) as Awaited<ReturnType<BalancingAccess['predict']>>;

  /** Stops every worker; calls still running are answered with an error (the server drains first). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private call(call: Call): Promise<CallResult> {
    this.models.require();
    if (this.closed) return Promise.reject(new RpcError(ErrorCode.InternalError, 'the server is shutting down'));
    const slot = this.slots[route(call.input.level.id, this.slots.length)]!;
    const id = this.nextId++;
    return new Promise<CallResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'call', id, call } satisfies ToWorker);
    });
  }

  private use(next: ModelInUse | null): void {
    this.model = { type: 'model', model: next ? { id: next.id, dir: next.dir, project: this.project() } : null };
    for (const slot of this.slots ?? []) slot.worker.postMessage(this.model);
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./balancing-worker.js', import.meta.url));
    worker.postMessage(this.model);
    return worker;
  }

  private watch(slot: Slot): void {
    const { worker } = slot;
    worker.on('message', (message: FromWorker) => {
      const pending = slot.pending.get(message.id);
      if (!pending) return;
      slot.pending.delete(message.id);
      if (message.type === 'result') pending.resolve(message.result);
      else pending.reject(unwire(message.error));
    });
    worker.on('error', (err) => this.log(`metabalance: a balancing worker failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      const lost = [...slot.pending.values()];
      slot.pending.clear();
      for (const p of lost) p.reject(new RpcError(ErrorCode.InternalError, `the balancing worker stopped (exit code ${code}) before answering; ask again`));
      if (this.closed) return;
      this.log(`metabalance: a balancing worker stopped (exit code ${code}); starting another`);
      slot.worker = this.spawn();
      this.watch(slot);
    });
  }
}

/** The worker a level's calls go to: stable for the pool's life, spread evenly over the workers. */
export function route(levelId: string, size: number): number {
  return createHash('sha1').update(levelId).digest().readUInt32BE(0) % size;
}
