import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { backendName, initBackend } from '../../src/model/backend.js';

const run = promisify(execFile);
const backendModule = fileURLToPath(new URL('../../src/model/backend.js', import.meta.url));

test('the backend is chosen (tfjs-node > wasm > cpu) and reported', async () => {
  const name = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(name));
  assert.equal(backendName(), name);
  assert.equal(tf.getBackend(), name);
  assert.equal(await initBackend(), name, 'idempotent');
});

test('METABALANCE_BACKEND forces a backend', async () => {
  const script = `import(${JSON.stringify(backendModule)}).then(async (m) => { console.log(await m.initBackend()); console.log(m.backendName()); })`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, METABALANCE_BACKEND: 'cpu' },
  });
  assert.deepEqual(stdout.trim().split('\n'), ['cpu', 'cpu']);
  const bad = run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, METABALANCE_BACKEND: 'gpu' } });
  await assert.rejects(bad, /METABALANCE_BACKEND must be one of tensorflow, wasm, cpu/);
});
