// A minimal JSON-RPC 2.0 client over WebSocket for the tests and benchmarks (the product's client is the
// Unity bridge): pipelined calls matched by id, notifications collected and observable.
import { WebSocket } from 'ws';
import type { ErrorObject } from '../../src/rpc/errors.js';
import type { Notification, Response } from '../../src/rpc/messages.js';

export class RpcCallError extends Error {
  constructor(readonly error: ErrorObject) {
    super(error.message);
    this.name = 'RpcCallError';
  }
  get code(): number {
    return this.error.code;
  }
}

export interface ConnectOptions {
  token?: string;
  headers?: Record<string, string>;
  /** handshake timeout (default 10 s) */
  timeoutMs?: number;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(n: Notification) => void>();
  readonly notifications: Notification[] = [];
  /** frames that were neither a pending call's response nor a notification, not yet taken */
  private readonly stray: unknown[] = [];
  private readonly strayWaiters: ((m: unknown) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.onFrame(data.toString()));
    ws.on('close', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`connection closed (${code}) before the answer came`));
      this.pending.clear();
    });
  }

  static connect(url: string, opts: ConnectOptions = {}): Promise<RpcClient> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: opts.timeoutMs ?? 10_000 });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RpcClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`handshake refused: HTTP ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  private onFrame(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.onStray(text);
      return;
    }
    // A batch answer to a raw frame is handed over whole, as it arrived.
    if (Array.isArray(message) && !message.some((m) => this.pending.has((m as { id?: number }).id ?? -1))) {
      this.onStray(message);
      return;
    }
    for (const m of Array.isArray(message) ? message : [message]) {
      const r = m as Partial<Response> & Partial<Notification>;
      if (r.id !== undefined && r.id !== null && this.pending.has(r.id)) {
        this.pending.get(r.id)!.resolve(r as Response);
        this.pending.delete(r.id);
      } else if (typeof r.method === 'string' && r.id === undefined) {
        this.notifications.push(r as Notification);
        for (const l of this.listeners) l(r as Notification);
      } else {
        this.onStray(m);
      }
    }
  }

  private onStray(m: unknown): void {
    const waiter = this.strayWaiters.shift();
    if (waiter) waiter(m);
    else this.stray.push(m);
  }

  /** The raw response (result or error) to one request. */
  request(method: string, params?: unknown): Promise<Response> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error('connection is not open'));
      this.pending.set(id, { resolve, reject });
      const body: Record<string, unknown> = { jsonrpc: '2.0', id, method };
      if (params !== undefined) body.params = params;
      this.ws.send(JSON.stringify(body), (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  /** The result, or an RpcCallError carrying the error object. */
  async call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const r = await this.request(method, params);
    if ('error' in r) throw new RpcCallError(r.error);
    return r.result as T;
  }

  notify(method: string, params?: unknown): void {
    this.ws.send(JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }));
  }

  /** Sends any text and resolves with the next frame that is neither a call's response nor a
   *  notification (the answer to a raw frame), or null when none comes within `ms`. */
  sendRaw(text: string | Buffer, ms = 5000): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const at = this.strayWaiters.indexOf(take);
        if (at >= 0) this.strayWaiters.splice(at, 1);
        resolve(null);
      }, ms);
      const take = (m: unknown): void => {
        clearTimeout(timer);
        resolve(m);
      };
      if (this.stray.length > 0) take(this.stray.shift());
      else this.strayWaiters.push(take);
      this.ws.send(text);
    });
  }

  /** Resolves with the first notification (already received or future) that satisfies `match`. */
  waitFor(match: (n: Notification) => boolean, ms = 30_000): Promise<Notification> {
    const seen = this.notifications.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching notification within ${ms} ms`));
      }, ms);
      const listener = (n: Notification): void => {
        if (!match(n)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(n);
      };
      this.listeners.add(listener);
    });
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
