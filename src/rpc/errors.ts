// JSON-RPC errors. The codes are generated from schemas/rpc/errors.json (the one table the Unity
// bridge's RpcErrorCodes come from too); the README lists them.
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';

export { ErrorCode, type ErrorCodeValue };

export interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** Thrown by method handlers; the dispatcher turns it into the response's error member. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toObject(): ErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
