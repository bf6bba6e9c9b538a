// The transport-facing side of the RPC core: text in, text out, with the message-size limit
// answered as a JSON-RPC error rather than a dropped connection. It counts the messages being
// answered, so that shutdown can let them finish: an answer counts as given once the transport
// has handed it to the socket.
import { Dispatcher } from '../rpc/dispatcher.js';
import { ErrorCode } from '../rpc/errors.js';
import { failure, type Response } from '../rpc/messages.js';
import type { Caller, RpcServices } from '../rpc/services.js';
import { LIMITS } from './limits.js';

/** Hands an answer (null: none is due) to the client; resolves once it is written out. */
export type Reply = (text: string | null) => void | Promise<void>;

export class RpcEndpoint {
  private inFlight = 0;
  private stopping = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly services: RpcServices,
  ) {}

  /** Answers one message through `reply`; once draining, answers each request with a refusal instead of running it. */
  async answer(text: string, caller: Caller, reply: Reply): Promise<void> {
    this.inFlight++;
    try {
      await reply(await this.respond(text, caller));
    } finally {
      if (--this.inFlight === 0) this.onIdle?.();
    }
  }

  private respond(text: string, caller: Caller): Promise<string | null> | string | null {
    const bytes = Buffer.byteLength(text);
    if (bytes > LIMITS.messageBytes) return JSON.stringify(tooLarge(bytes));
    if (this.stopping) {
      return this.dispatcher.refuseText(text, (method) => ({
        code: ErrorCode.InternalError,
        message: `server shutting down: ${method} was not run; send it again once the sidecar is back`,
        data: { shuttingDown: true },
      }));
    }
    return this.dispatcher.handleText(text, { services: this.services, caller });
  }

  /** Stops running new messages and waits (at most `ms`) until every message being answered has its answer sent. */
  drain(ms: number): Promise<boolean> {
    this.stopping = true;
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

export function tooLarge(bytes: number | undefined): Response {
  const size = bytes === undefined ? 'the message' : `a message of ${bytes} bytes`;
  return failure(null, {
    code: ErrorCode.PayloadTooLarge,
    message: `payload too large: ${size} is over the limit of ${LIMITS.messageBytes} bytes`,
    data: { limit: LIMITS.messageBytes, ...(bytes === undefined ? {} : { size: bytes }) },
  });
}
