// Which TensorFlow.js backend runs the model: tfjs-node when its native addon loads, else the
// wasm backend (SIMD), else the pure-JS cpu backend. METABALANCE_BACKEND forces one.
// '@tensorflow/tfjs' is imported for its side effect of registering every gradient (tfjs-core's
// Node bundle registers none); it shares tfjs-core's global engine.
import * as tf from '@tensorflow/tfjs-core';

export type BackendPreference = 'tensorflow' | 'wasm' | 'cpu';
const ORDER: readonly BackendPreference[] = ['tensorflow', 'wasm', 'cpu'];

let ready: Promise<string> | null = null;
let readyFor: BackendPreference | undefined;

async function tryBackend(name: BackendPreference): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      const nodeModule = '@tensorflow/tfjs-node';
      await import(nodeModule);
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
    } else {
      await import('@tensorflow/tfjs-backend-cpu');
    }
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

function parsePreference(raw: string | undefined): BackendPreference | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((ORDER as readonly string[]).includes(raw)) return raw as BackendPreference;
  throw new Error(`METABALANCE_BACKEND must be one of ${ORDER.join(', ')} (got "${raw}")`);
}

async function select(prefer: BackendPreference | undefined): Promise<string> {
  await import('@tensorflow/tfjs');
  tf.enableProdMode();
  const forced = prefer !== undefined;
  const order = forced ? [prefer, ...ORDER.filter((b) => b !== prefer)] : ORDER;
  for (const name of order) {
    if (await tryBackend(name)) {
      if (forced && name !== prefer) process.emitWarning(`metabalance: backend "${prefer}" unavailable, using "${name}"`);
      return name;
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised (tried tensorflow, wasm, cpu)');
}

/**
 * Initialise the backend once (idempotent: later calls return the first choice unless a
 * different backend is explicitly preferred). Returns the backend's name.
 */
export function initBackend(prefer?: BackendPreference): Promise<string> {
  const wanted = prefer ?? parsePreference(process.env['METABALANCE_BACKEND']);
  if (ready === null || (prefer !== undefined && prefer !== readyFor)) {
    readyFor = wanted;
    ready = select(wanted);
  }
  return ready;
}

/** The active backend's name ('wasm', 'cpu', 'tensorflow'), or 'none' before initBackend. */
export function backendName(): string {
  return ready === null ? 'none' : tf.getBackend();
}
