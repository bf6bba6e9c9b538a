// The messages between the server and its training worker.
import type { Algorithm, Corpus, TrainProgress } from '../model/index.js';

export interface TrainWorkerData {
  projectDir: string;
  corpus: Corpus;
  options: { steps?: number; seed?: number; algorithm?: Algorithm };
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'saved'; modelId: string }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string };
