// JSON-RPC error values. The application codes are part of the external contract (README,
// ../shared/design/CONTRACT.md, the Unity bridge): never renumber them.

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  UnknownLevel: -32001,
  NoModel: -32002,
  JobRunning: -32003,
  UnknownJob: -32004,
  InvalidInput: -32005,
  StoreLocked: -32006,
  ProtocolMismatch: -32007,
  PayloadTooLarge: -32008,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

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
