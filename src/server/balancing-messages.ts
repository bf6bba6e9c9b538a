// What the server and its balancing workers (balancing-worker.ts) say to each other.
import type { Prediction, Suggestion } from '../balance/index.js';
import type { BalanceAnswer, LevelInput, SearchSettings } from '../balance/service.js';
import type { Problem } from '../project/errors.js';
import type { ParamValues, Project } from '../project/types.js';

/** One call of the balancing service. */
export type Call =
  | { op: 'balance'; input: LevelInput; settings: SearchSettings }
  | { op: 'suggest'; input: LevelInput; count: number; settings: SearchSettings }
  | { op: 'predict'; input: LevelInput; params: ParamValues };

export type CallResult = BalanceAnswer | Suggestion[] | Prediction;

export type ToWorker =
  /** use this model from now on (null: none); later calls run on it */
  { type: 'model'; model: { id: string; dir: string; project: Project } | null } | { type: 'call'; id: number; call: Call };

/** An error as it crosses the thread boundary: the kinds the RPC layer maps to its codes. */
export type WireError =
  | { kind: 'input'; problems: Problem[]; summary?: string }
  | { kind: 'rpc'; code: number; message: string; data?: unknown }
  | { kind: 'other'; message: string };

export type FromWorker = { type: 'result'; id: number; result: CallResult } | { type: 'error'; id: number; error: WireError };
