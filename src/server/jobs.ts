// Training jobs: one worker thread per job, one job per project at a time. Progress reaches every
// client at least once a second (a heartbeat repeats the latest when training is between steps),
// cancel stops the job within a second (the worker is terminated if it does not stop by itself),
// and a finished job's model is in use before job.finished is announced.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Corpus, TrainProgress } from '../model/index.js';
import { ErrorCode, RpcError } from '../rpc/errors.js';
import { notification, type Notification } from '../rpc/messages.js';
import type { CurvePoint, JobFinished, JobState, JobStatusResult, ModelTrainParams, TrainResult } from '../rpc/protocol-types.js';
import type { JobAccess } from '../rpc/services.js';
import type { FromWorker, TrainWorkerData } from './train-messages.js';

/** the heartbeat checks this often and repeats the latest progress after HEARTBEAT_MS of silence
 *  (half the promised second, so a busy event loop or network still keeps the promise) */
const TICK_MS = 100;
const HEARTBEAT_MS = 500;
/** progress notifications are sent at most this often (the curve keeps every point) */
const MIN_GAP_MS = 200;
const CANCEL_GRACE_MS = 400;
const MAX_CURVE = 4000;
/** finished jobs kept for job.status; older ones are forgotten so a long session does not grow */
const KEEP_FINISHED = 20;

export interface JobsHost {
  readonly projectDir: string;
  corpus(): Corpus;
  broadcast(message: Notification): void;
  /** puts the newly saved model in use; resolves to its info */
  adopt(modelId: string): Promise<TrainResult>;
  log(message: string): void;
}

interface Job {
  /** what job.status answers; the curve is kept from the start */
  status: JobStatusResult & { curve: CurvePoint[] };
  worker: Worker;
  lastSent: number;
  heartbeat: NodeJS.Timeout;
  /** resolves when the job has reached its final state */
  done: Promise<void>;
  settle: () => void;
  cancelling: boolean;
  /** the worker has said how it ended (its exit then is expected) */
  reported: boolean;
}

export class TrainingJobs implements JobAccess {
  private readonly jobs = new Map<string, Job>();
  private running: Job | null = null;

  constructor(private readonly host: JobsHost) {}

  startTraining(request: ModelTrainParams): string {
    if (this.running) {
      throw new RpcError(ErrorCode.JobRunning, `a training job is already running: ${this.running.status.jobId}`, { jobId: this.running.status.jobId });
    }
    const jobId = `train-${randomUUID()}`;
    const data: TrainWorkerData = { projectDir: this.host.projectDir, corpus: this.host.corpus(), options: request };
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: data });
    let settle = (): void => {};
    const done = new Promise<void>((resolve) => (settle = resolve));
    const job: Job = {
      status: { jobId, kind: 'train', state: 'running', step: 0, total: request.steps ?? 0, loss: null, valLoss: null, etaSec: null, curve: [] },
      worker,
      lastSent: 0,
      heartbeat: setInterval(() => this.sendProgress(job, true), TICK_MS),
      done,
      settle,
      cancelling: false,
      reported: false,
    };
    this.jobs.set(jobId, job);
    this.running = job;
    worker.on('message', (message: FromWorker) => void this.onMessage(job, message));
    worker.on('error', (err) => void this.finish(job, 'failed', undefined, err.message));
    worker.on('exit', (code) => {
      if (!job.reported && !job.cancelling) void this.finish(job, 'failed', undefined, `training worker exited (code ${code})`);
    });
    this.sendProgress(job, true);
    return jobId;
  }

  status(jobId: string): JobStatusResult | undefined {
    const job = this.jobs.get(jobId);
    return job ? { ...job.status, curve: [...job.status.curve] } : undefined;
  }

  async cancel(jobId: string): Promise<JobState | undefined> {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    if (job.status.state === 'running' && !job.cancelling) {
      job.cancelling = true;
      job.worker.postMessage({ type: 'cancel' });
      const stopped = await Promise.race([job.done.then(() => true), delay(CANCEL_GRACE_MS).then(() => false)]);
      // A worker that has already reported (e.g. its model is saved and being adopted) is past the
      // point of cancelling: terminating it now would report "cancelled" for a model in use.
      if (!stopped && !job.reported) {
        await job.worker.terminate();
        await this.finish(job, 'cancelled');
      }
    }
    await job.done;
    return job.status.state;
  }

  /** Cancels whatever runs (graceful shutdown). */
  async shutdown(): Promise<void> {
    if (this.running) await this.cancel(this.running.status.jobId);
  }

  private async onMessage(job: Job, message: FromWorker): Promise<void> {
    if (message.type !== 'progress') job.reported = true;
    switch (message.type) {
      case 'progress':
        this.record(job, message.progress);
        this.sendProgress(job, false);
        return;
      case 'saved':
        // A cancel that arrives after the model was saved is too late: the complete folder would be
        // the newest model on the next start anyway, so use it now and say so.
        try {
          await this.finish(job, 'succeeded', await this.host.adopt(message.modelId));
        } catch (err) {
          await this.finish(job, 'failed', undefined, `the trained model could not be loaded: ${(err as Error).message}`);
        }
        return;
      case 'cancelled':
        await this.finish(job, 'cancelled');
        return;
      case 'failed':
        await this.finish(job, 'failed', undefined, message.message);
    }
  }

  private record(job: Job, p: TrainProgress): void {
    const s = job.status;
    s.step = p.step;
    s.total = p.total;
    s.loss = finiteOrNull(p.loss);
    s.valLoss = finiteOrNull(p.valLoss);
    s.etaSec = finiteOrNull(p.etaSec);
    const point: CurvePoint = { step: p.step, loss: s.loss, valLoss: s.valLoss };
    const last = s.curve[s.curve.length - 1];
    if (last?.step === p.step) s.curve[s.curve.length - 1] = point;
    else s.curve.push(point);
    // Thin evenly rather than truncate, so a long run's whole curve stays drawable.
    if (s.curve.length > MAX_CURVE) s.curve = s.curve.filter((_, i) => i % 2 === 1 || i === s.curve.length - 1);
  }

  private sendProgress(job: Job, heartbeat: boolean): void {
    const now = Date.now();
    if (job.status.state !== 'running') return;
    if (now - job.lastSent < (heartbeat ? HEARTBEAT_MS : MIN_GAP_MS)) return;
    job.lastSent = now;
    const { jobId, step, total, loss, valLoss, etaSec } = job.status;
    this.host.broadcast(notification('job.progress', { jobId, step, total, loss, valLoss, etaSec }));
  }

  private async finish(job: Job, state: Exclude<JobState, 'running'>, result?: TrainResult, error?: string): Promise<void> {
    if (job.status.state !== 'running') return;
    clearInterval(job.heartbeat);
    job.status.state = state;
    if (result) job.status.result = result;
    if (error !== undefined) {
      job.status.error = { message: error };
      this.host.log(`metabalance: training job ${job.status.jobId} failed: ${error}`);
    }
    if (this.running === job) this.running = null;
    this.forgetOldJobs();
    const params: JobFinished = { jobId: job.status.jobId, state };
    if (result) params.result = result;
    if (error !== undefined) params.error = { message: error };
    this.host.broadcast(notification('job.finished', params));
    job.settle();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((j) => j.status.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(old.status.jobId);
  }
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
