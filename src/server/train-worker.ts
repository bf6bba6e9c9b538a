// Worker-thread entry: meta-trains on a snapshot of the corpus and saves the model atomically
// (writeModelFolder: tmp + rename), so the event loop keeps answering level.predict meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, trainResumable } from '../model/index.js';
import { saveModel } from '../store/model-store.js';
import { CurveRecorder } from '../util/training-curve.js';
import type { FromWorker, ToWorker, TrainWorkerData } from './train-messages.js';

const port = parentPort;
if (!port) throw new Error('train-worker.js must run in a worker thread');
const data = workerData as TrainWorkerData;
const abort = new AbortController();
const send = (message: FromWorker): void => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') abort.abort();
});

try {
  await initBackend();
  const curve = new CurveRecorder();
  const { model, training } = await trainResumable(data.corpus, {
    ...data.options,
    signal: abort.signal,
    onProgress: (progress) => {
      curve.add(progress);
      send({ type: 'progress', progress });
    },
  });
  try {
    if (abort.signal.aborted) send({ type: 'cancelled' });
    else send({ type: 'saved', modelId: await saveModel({ model: model.with({ info: { ...model.info, trainingCurve: curve.saved() } }), training }, data.projectDir) });
  } finally {
    model.dispose();
  }
} catch (err) {
  if (abort.signal.aborted) send({ type: 'cancelled' });
  else send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
port.close();
