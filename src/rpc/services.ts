// What the method handlers need from their host. The server implements these; the RPC core
// never sees a socket, a worker or a timer.
import type { ProjectStore } from '../store/project-store.js';
import type { Prediction, Suggestion } from '../balance/index.js';
import type { BalanceAnswer, LevelInput, SearchSettings } from '../balance/service.js';
import type { MetaModel } from '../model/index.js';
import type { ParamValues, Project } from '../project/types.js';
import type { Notification } from './messages.js';
import type { JobState, JobStatusResult, MethodName, MethodTypes, ModelTrainParams } from './protocol-types.js';

/** The client a request came from, so that changes can be announced to the others. */
export interface Caller {
  readonly id: string;
}

export interface LoadedModel {
  readonly id: string;
  readonly model: MetaModel;
}

export interface ModelAccess {
  /** the model in use, or null before the first training */
  current(): LoadedModel | null;
  /** after project.json changed: forgets every adaptation, and the model too unless it still fits
   *  the new params, features and metrics (false then: answers are -32002 until trained again) */
  refit(projectDir: string, project: Project): Promise<boolean>;
}

/** The balancing service (src/balance/service.ts) on the model in use, wherever the host runs it.
 *  Throws RpcError(NoModel) when no model is in use. */
export interface BalancingAccess {
  balance(input: LevelInput, settings: SearchSettings): Promise<BalanceAnswer>;
  suggest(input: LevelInput, count: number, settings: SearchSettings): Promise<Suggestion[]>;
  predict(input: LevelInput, params: ParamValues): Promise<Prediction>;
}

export interface JobAccess {
  /** starts training off the event loop; throws RpcError(JobRunning) while one runs */
  startTraining(request: ModelTrainParams): string;
  status(jobId: string): JobStatusResult | undefined;
  /** resolves once the job has stopped */
  cancel(jobId: string): Promise<JobState | undefined>;
}

export interface RpcServices {
  readonly store: ProjectStore;
  readonly models: ModelAccess;
  readonly balancing: BalancingAccess;
  readonly jobs: JobAccess;
  backend(): string;
  /** sends to every connected client but `except` */
  broadcast(message: Notification, except?: Caller): void;
  /** runs store writes one at a time, in arrival order */
  exclusive<T>(write: () => Promise<T>): Promise<T>;
}

export interface MethodContext {
  readonly services: RpcServices;
  readonly caller: Caller;
}

/** One RPC method: its params and result are checked against schemas/rpc/<name>.schema.json. */
export interface Method<P = Record<string, unknown>, R = unknown> {
  readonly name: string;
  run(params: P, ctx: MethodContext): R | Promise<R>;
}

/** A method whose params and result are the types generated from its schema. The table erases
 *  them; the dispatcher's schema check guarantees the params' shape at runtime. */
export function method<N extends MethodName>(
  name: N,
  run: (params: MethodTypes[N]['params'], ctx: MethodContext) => MethodTypes[N]['result'] | Promise<MethodTypes[N]['result']>,
): Method {
  return { name, run: run as Method['run'] };
}
