// Worker-thread entry of the balancing pool: loads the model in use once, keeps its own cache of
// adapted predictors, and answers balance / suggest / predict calls one after another.
import { parentPort } from 'node:worker_threads';
import { BalancingService } from '../balance/service.js';
import { initBackend } from '../model/index.js';
import { loadModelFolder } from '../store/model-store.js';
import { InputError } from '../project/errors.js';
import { RpcError } from '../rpc/errors.js';
import { noModel } from '../rpc/methods/model.js';
import type { Call, CallResult, FromWorker, ToWorker, WireError } from './balancing-messages.js';
import { PREDICTOR_CACHE } from './local-balancing.js';

const port = parentPort;
if (!port) throw new Error('balancing-worker.js must run in a worker thread');
const send = (message: FromWorker): void => port.postMessage(message);

/** The service on the model in use; a call waits for the model that was current when it arrived. */
let current: Promise<BalancingService | null> = initBackend().then(() => null);

function useModel(next: Extract<ToWorker, { type: 'model' }>['model']): void {
  const previous = current;
  current = (async () => {
    (await previous.catch(() => null))?.dispose();
    if (!next) return null;
    return new BalancingService(await loadModelFolder(next, next.project), { cacheSize: PREDICTOR_CACHE });
  })();
}

function run(service: BalancingService, call: Call): CallResult {
  switch (call.op) {
    case 'balance':
      return service.balance(call.input, call.settings);
    case 'suggest':
      return service.suggest(call.input, call.count, call.settings);
    case 'predict':
      return service.predict(call.input, call.params);
  }
}

function wire(err: unknown): WireError {
  if (err instanceof InputError) return { kind: 'input', problems: err.problems, ...(err.summary === undefined ? {} : { summary: err.summary }) };
  if (err instanceof RpcError) return { kind: 'rpc', code: err.code, message: err.message, data: err.data };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'model') {
    useModel(message.model);
    return;
  }
  const { id, call } = message;
  void current
    .then((service) => {
      if (!service) throw noModel();
      send({ type: 'result', id, result: run(service, call) });
    })
    .catch((err: unknown) => send({ type: 'error', id, error: wire(err) }));
});
