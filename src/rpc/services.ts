// What the method handlers need from their host. The server implements these; the RPC core
// never sees a socket, a worker or a timer.
import type { ProjectStore } from '../store/project-store.js';
import type { Algorithm, LevelPredictor, MetaModel, ModelInfo } from '../model/index.js';
import type { Level, Playtest, Project } from '../project/types.js';
import type { Notification } from './messages.js';
import type { CurvePoint } from '../util/training-curve.js';

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
  /** the model adapted to `level` from `playtests`: the stored ones, or ones a request brought
   *  along; cached per level, playtests and model, so repeated calls cost one forward pass */
  predictor(loaded: LoadedModel, level: Level, playtests: readonly Playtest[], source: 'stored' | 'inline'): LevelPredictor;
  /** after project.json changed: forgets every adaptation, and the model too unless it still fits
   *  the new params, features and metrics (false then: answers are -32002 until trained again) */
  refit(projectDir: string, project: Project): Promise<boolean>;
}

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TrainRequest {
  steps?: number;
  seed?: number;
  algorithm?: Algorithm;
}

export type { CurvePoint } from '../util/training-curve.js';

export interface JobStatus {
  jobId: string;
  kind: 'train';
  state: JobState;
  step: number;
  total: number;
  loss: number | null;
  valLoss: number | null;
  etaSec: number | null;
  result?: { modelId: string; info: ModelInfo };
  error?: { message: string };
  curve: CurvePoint[];
}

export interface JobAccess {
  /** starts training off the event loop; throws RpcError(JobRunning) while one runs */
  startTraining(request: TrainRequest): string;
  status(jobId: string): JobStatus | undefined;
  /** resolves once the job has stopped */
  cancel(jobId: string): Promise<JobState | undefined>;
}


export interface RpcServices {
  readonly store: ProjectStore;
  readonly models: ModelAccess;
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

/** Erases a method's param type for the table; the schema check guarantees the shape at runtime. */
export function method<P, R>(name: string, run: (params: P, ctx: MethodContext) => R | Promise<R>): Method {
  return { name, run: run as Method['run'] };
}
