// Errors from the layers below that a client can act on, as stable application error codes.
import { InputError, formatProblems } from '../project/errors.js';
import { StoreLockedError } from '../store/lock.js';
import { ErrorCode, RpcError } from './errors.js';

export function toRpcError(err: unknown): RpcError | null {
  if (err instanceof RpcError) return err;
  if (err instanceof InputError) {
    return new RpcError(ErrorCode.InvalidInput, `invalid input: ${err.message.split('\n')[0]}`, { problems: formatProblems(err.problems) });
  }
  if (err instanceof StoreLockedError) return new RpcError(ErrorCode.StoreLocked, err.message);
  return null;
}
