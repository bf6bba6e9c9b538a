// The transport-facing side of the RPC core: text in, text out, with the message-size limit
// answered as a JSON-RPC error rather than a dropped connection.
import { Dispatcher } from '../rpc/dispatcher.js';
import { ErrorCode } from '../rpc/errors.js';
import { failure, type Response } from '../rpc/messages.js';
import type { Caller, RpcServices } from '../rpc/services.js';
import { LIMITS } from './limits.js';

export class RpcEndpoint {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly services: RpcServices,
  ) {}

  /** The response to send for one message, or null when there is none (notifications only). */
  respond(text: string, caller: Caller): Promise<string | null> {
    const bytes = Buffer.byteLength(text);
    if (bytes > LIMITS.messageBytes) return Promise.resolve(JSON.stringify(tooLarge(bytes)));
    return this.dispatcher.handleText(text, { services: this.services, caller });
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
