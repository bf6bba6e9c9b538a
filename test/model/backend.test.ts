import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { backendName, initBackend } from '../../src/model/backend.js';

const run = promisify(execFile);
const backendModule = fileURLToPath(new URL('../../src/model/backend.js', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const report = `import(${JSON.stringify(backendModule)}).then(async (m) => { console.log(await m.initBackend()); console.log(m.backendName()); })`;

/** Runs `report` in a fresh process (this one has a backend already), METABALANCE_BACKEND set as given. */
async function choose(forced?: string): Promise<{ names: string[]; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['METABALANCE_BACKEND'];
  if (forced !== undefined) env['METABALANCE_BACKEND'] = forced;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', report], { env, cwd: repo });
  return { names: stdout.trim().split('\n'), stderr };
}

/** Whether a package loads here, found out in a fresh process without the backend module. */
async function loads(pkg: string): Promise<boolean> {
  const script = `import(${JSON.stringify(pkg)}).then(() => process.exit(0), () => process.exit(1))`;
  return run(process.execPath, ['--input-type=module', '-e', script], { cwd: repo }).then(
    () => true,
    () => false,
  );
}

test('the first backend that loads wins, in the order tensorflow > wasm > cpu, and is reported', async () => {
  const nodeLoads = await loads('@tensorflow/tfjs-node');
  const expected = nodeLoads ? 'tensorflow' : (await loads('@tensorflow/tfjs-backend-wasm')) ? 'wasm' : 'cpu';
  assert.deepEqual((await choose()).names, [expected, expected]);
  // Forcing one that does not load falls back along the same order, with a warning.
  if (!nodeLoads) {
    const fallback = await choose('tensorflow');
    assert.deepEqual(fallback.names, [expected, expected]);
    assert.match(fallback.stderr, new RegExp(`backend "tensorflow" unavailable, using "${expected}"`));
  }
  // In this process: the choice is the active tfjs backend, and asking again does not change it.
  const name = await initBackend();
  assert.equal(backendName(), name);
  assert.equal(tf.getBackend(), name);
  assert.equal(await initBackend(), name, 'idempotent');
});

test('METABALANCE_BACKEND forces a backend', async () => {
  assert.deepEqual((await choose('cpu')).names, ['cpu', 'cpu']);
  await assert.rejects(choose('gpu'), /METABALANCE_BACKEND must be one of tensorflow, wasm, cpu/);
});
