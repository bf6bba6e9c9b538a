// Turns one incoming frame (a request, a notification or a batch) into its response, exactly as
// JSON-RPC 2.0 says: notifications get nothing back, an empty batch is one -32600, a batch of
// notifications only gets no response at all. Never throws: every failure becomes an error object.
// Replies are capped: one over `maxReplyBytes`, or a batch whose replies together pass
// `maxBatchReplyBytes`, is answered -32008 instead; once a batch's budget is spent its remaining
// calls are answered -32008 without being run.
import { ErrorCode, type ErrorObject } from './errors.js';
import { checkRequest, failure, success, type Request, type Response } from './messages.js';
import { describe, type Check, type SchemaRegistry } from './schemas.js';
import type { Method, MethodContext } from './services.js';
import { toRpcError } from './error-mapping.js';

export interface DispatcherOptions {
  /** most requests one batch may hold */
  maxBatch: number;
  /** most bytes of JSON one response may take */
  maxReplyBytes: number;
  /** most bytes of JSON a batch's responses may take together */
  maxBatchReplyBytes: number;
  /** check every result against its schema (tests and development); a mismatch is a -32603 */
  validateResults: boolean;
  /** where unexpected errors are reported (they reach the client as -32603 without a stack) */
  log: (message: string) => void;
}

interface Entry {
  method: Method;
  params: Check;
  result: Check;
}

/** The answer to a request that is not run: invalid ones still get -32600, notifications nothing. */
function refusal(raw: unknown, error: (method: string) => ErrorObject): Response | null {
  const checked = checkRequest(raw);
  if (!checked.ok) return checked.response;
  if (!('id' in checked.request)) return null;
  return failure(checked.request.id ?? null, error(checked.request.method));
}

const nullable = (r: Response | null): string | null => (r === null ? null : JSON.stringify(r));

/** The frame's JSON value, or the -32700 answer when it is not JSON. */
function parseFrame(text: string): { value: unknown } | { reply: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { reply: JSON.stringify(failure(null, { code: ErrorCode.ParseError, message: `parse error: ${(err as Error).message}` })) };
  }
}

const EMPTY_BATCH = JSON.stringify(failure(null, { code: ErrorCode.InvalidRequest, message: 'invalid request: empty batch' }));

export class Dispatcher {
  private readonly entries = new Map<string, Entry>();

  constructor(
    methods: readonly Method[],
    schemas: SchemaRegistry,
    private readonly options: DispatcherOptions,
  ) {
    for (const m of methods) {
      if (this.entries.has(m.name)) throw new Error(`method ${m.name} registered twice`);
      this.entries.set(m.name, { method: m, params: schemas.check(m.name, 'params'), result: schemas.check(m.name, 'result') });
    }
  }

  methodNames(): string[] {
    return [...this.entries.keys()];
  }

  /** A frame's text → the text to send back, or null when nothing is to be sent. */
  async handleText(text: string, ctx: MethodContext): Promise<string | null> {
    const frame = parseFrame(text);
    return 'reply' in frame ? frame.reply : this.handleValue(frame.value, ctx);
  }

  async handleValue(value: unknown, ctx: MethodContext): Promise<string | null> {
    if (!Array.isArray(value)) {
      const response = await this.handleOne(value, ctx);
      return response && this.encode(response, this.options.maxReplyBytes);
    }
    if (value.length === 0) return EMPTY_BATCH;
    if (value.length > this.options.maxBatch) {
      return JSON.stringify(
        failure(null, {
          code: ErrorCode.PayloadTooLarge,
          message: `batch of ${value.length} requests is over the limit of ${this.options.maxBatch}`,
          data: { limit: this.options.maxBatch, size: value.length },
        }),
      );
    }
    // One item at a time, yielding between items: a batch of slow calls (first adaptations,
    // balances) must not hold the event loop, and other clients' calls get in between.
    const sent: string[] = [];
    let left = this.options.maxBatchReplyBytes;
    for (const item of value) {
      const response = left > 0 ? await this.handleOne(item, ctx) : this.notRun(item);
      if (response) {
        const text = this.encode(response, Math.min(this.options.maxReplyBytes, left));
        left -= Buffer.byteLength(text) + 1;
        sent.push(text);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return sent.length > 0 ? `[${sent.join(',')}]` : null;
  }

  /** A batch item left unrun because the batch's replies already fill the budget (null for a notification). */
  private notRun(raw: unknown): Response | null {
    const limit = this.options.maxBatchReplyBytes;
    return refusal(raw, (method) => ({
      code: ErrorCode.PayloadTooLarge,
      message: `reply too large: this batch's replies reached the limit of ${limit} bytes before ${method} was run; send it in a later batch`,
      data: { limit, scope: 'batch' },
    }));
  }

  /** Answers every request in a frame with `error` without running any (e.g. while shutting down). */
  refuseText(text: string, error: (method: string) => ErrorObject): string | null {
    const frame = parseFrame(text);
    if ('reply' in frame) return frame.reply;
    const { value } = frame;
    if (!Array.isArray(value)) return nullable(refusal(value, error));
    if (value.length === 0) return EMPTY_BATCH;
    const sent = value.map((item) => refusal(item, error)).filter((r): r is Response => r !== null);
    return sent.length > 0 ? JSON.stringify(sent) : null;
  }

  /** The response as JSON, or a -32008 in its place when it would take more than `room` bytes. */
  private encode(response: Response, room: number): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(response);
    } catch (err) {
      // V8 cannot build a string this long ("Invalid string length"): far over any limit.
      if (!(err instanceof RangeError)) throw err;
    }
    const size = text === undefined ? undefined : Buffer.byteLength(text);
    if (text !== undefined && size! <= room) return text;
    const batch = room < this.options.maxReplyBytes;
    const limit = batch ? this.options.maxBatchReplyBytes : this.options.maxReplyBytes;
    const what = size === undefined ? 'a reply too long to encode' : `a reply of ${size} bytes`;
    const hint = 'error' in response ? '' : '; ask for less (e.g. a smaller playtests.list limit) or split the batch';
    return JSON.stringify(
      failure(response.id, {
        code: ErrorCode.PayloadTooLarge,
        message: `reply too large: ${what} is over the ${batch ? "batch's remaining" : 'per-reply'} limit (${batch ? `${limit} bytes per batch` : `${limit} bytes`})${hint}`,
        data: { limit, scope: batch ? 'batch' : 'reply', ...(size === undefined ? {} : { size }) },
      }),
    );
  }

  private async handleOne(raw: unknown, ctx: MethodContext): Promise<Response | null> {
    const checked = checkRequest(raw);
    if (!checked.ok) return checked.response;
    const { request } = checked;
    const outcome = await this.call(request, ctx).catch((err: unknown) => {
      // Only a bug (or input that defeats the error messages themselves) gets here; one bad
      // request must cost its own answer, not the server.
      this.options.log(`metabalance: ${request.method} failed outside its handler: ${(err as Error)?.stack ?? String(err)}`);
      return { error: { code: ErrorCode.InternalError, message: `internal error in ${request.method}` } };
    });
    if (!('id' in request)) return null;
    const id = request.id ?? null;
    return 'error' in outcome ? failure(id, outcome.error) : success(id, outcome.result);
  }

  private async call(request: Request, ctx: MethodContext): Promise<{ result: unknown } | { error: ErrorObject }> {
    const entry = this.entries.get(request.method);
    if (!entry) return { error: { code: ErrorCode.MethodNotFound, message: `method not found: ${request.method}` } };
    const params = request.params ?? {};
    if (Array.isArray(params)) {
      return { error: { code: ErrorCode.InvalidParams, message: `invalid params for ${request.method}: params must be an object (by name)` } };
    }
    const problems = entry.params(params);
    if (problems) {
      const errors = describe(problems);
      return {
        error: {
          code: ErrorCode.InvalidParams,
          message: `invalid params for ${request.method}: ${errors[0]}`,
          data: { errors, schemaErrors: problems.raw },
        },
      };
    }
    try {
      const result = await entry.method.run(params as Record<string, unknown>, ctx);
      if (this.options.validateResults) {
        const bad = entry.result(result);
        if (bad) {
          this.options.log(`metabalance: ${request.method} produced a result that breaks its schema: ${describe(bad).join('; ')}`);
          return { error: { code: ErrorCode.InternalError, message: `internal error: ${request.method} result breaks its schema`, data: { errors: describe(bad) } } };
        }
      }
      return { result };
    } catch (err) {
      const mapped = toRpcError(err);
      if (mapped) return { error: mapped.toObject() };
      this.options.log(`metabalance: ${request.method} failed: ${(err as Error).stack ?? String(err)}`);
      return { error: { code: ErrorCode.InternalError, message: `internal error in ${request.method}: ${(err as Error).message ?? String(err)}` } };
    }
  }
}

