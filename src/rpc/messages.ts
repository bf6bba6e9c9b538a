// JSON-RPC 2.0 message shapes and the structural checks of §4/§5 of the specification. Only the
// envelope is checked here; params are checked against the method's schema by the dispatcher.
import { ErrorCode, type ErrorObject } from './errors.js';
import type { NotificationName, NotificationTypes } from './protocol-types.js';

export type RequestId = string | number | null;

export interface Request {
  jsonrpc: '2.0';
  method: string;
  /** by-name (object) params are the only kind the methods take; by-position is refused with -32602 */
  params?: unknown;
  /** absent: a notification, which gets no response */
  id?: RequestId;
}

export interface SuccessResponse {
  jsonrpc: '2.0';
  result: unknown;
  id: RequestId;
}
export interface ErrorResponse {
  jsonrpc: '2.0';
  error: ErrorObject;
  id: RequestId;
}
export type Response = SuccessResponse | ErrorResponse;

export interface Notification {
  jsonrpc: '2.0';
  method: string;
  params: Record<string, unknown>;
}

export function success(id: RequestId, result: unknown): SuccessResponse {
  return { jsonrpc: '2.0', result, id };
}

export function failure(id: RequestId, error: ErrorObject): ErrorResponse {
  return { jsonrpc: '2.0', error, id };
}

/** A notification whose params are the type generated from schemas/rpc/<method>.notification.schema.json. */
export function notification<N extends NotificationName>(method: N, params: NotificationTypes[N]): Notification {
  // the copy is a plain record, as the envelope holds it (an interface is not one to the type checker)
  return { jsonrpc: '2.0', method, params: { ...params } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isValidId(v: unknown): v is RequestId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

export type Checked = { ok: true; request: Request } | { ok: false; response: ErrorResponse };

/** Checks one element of a frame; an invalid request echoes its id when that id is itself valid. */
export function checkRequest(raw: unknown): Checked {
  const id: RequestId = isPlainObject(raw) && isValidId(raw.id) ? raw.id : null;
  const invalid = (why: string): Checked => ({
    ok: false,
    response: failure(id, { code: ErrorCode.InvalidRequest, message: `invalid request: ${why}` }),
  });
  if (!isPlainObject(raw)) return invalid('a request must be an object');
  if (raw.jsonrpc !== '2.0') return invalid('"jsonrpc" must be exactly "2.0"');
  if (typeof raw.method !== 'string' || raw.method.length === 0) return invalid('"method" must be a non-empty string');
  if ('id' in raw && !isValidId(raw.id)) return invalid('"id" must be a string, a finite number or null');
  if ('params' in raw && !isPlainObject(raw.params) && !Array.isArray(raw.params)) {
    return invalid('"params" must be an object or an array');
  }
  const request: Request = { jsonrpc: '2.0', method: raw.method };
  if ('id' in raw) request.id = raw.id as RequestId;
  if ('params' in raw) request.params = raw.params;
  return { ok: true, request };
}
