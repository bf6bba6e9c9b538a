// The balancing pool on the real server (in process, so that the test can reach its worker
// threads): balance calls run off the event loop, a worker that dies mid-call costs that call an
// error answer and nothing else, and the workers answer exactly what the service does in process.
import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { BalancingService } from '../../src/balance/service.js';
import { storedLevel } from '../../src/cli/ml-common.js';
import { initBackend } from '../../src/model/index.js';
import { loadLatestModel } from '../../src/store/model-store.js';
import type { Response } from '../../src/rpc/messages.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { RpcClient } from '../support/rpc-client.js';
import { makeProjectDir } from './fixture.js';
import { trainSmall } from './harness.js';

const workers: Worker[] = [];
process.on('worker', (w) => workers.push(w));

let dir: string;
let server: RunningServer;
let client: RpcClient;
const LEVELS = ['L000', 'L001', 'L002', 'L003', 'L004', 'L005'];

before(async () => {
  dir = await makeProjectDir({ levels: LEVELS.length, playtestsPerLevel: 6 });
  server = await startServer({ projectDir: dir, port: 0, balancingWorkers: 2, log: () => {} });
  client = await RpcClient.connect(server.urls.rpc, { token: server.token });
  await trainSmall(client);
});

after(async () => {
  client.ws.terminate();
  await server.close();
});

/** Where initialize's answer comes among 12 level.balance answers sent before it on `c`. */
async function initializePlace(c: RpcClient): Promise<number> {
  const order: string[] = [];
  const balances = LEVELS.flatMap((levelId) => [1, 2].map((seed) => c.call('level.balance', { levelId, seed }).then(() => order.push('balance'))));
  const init = c.call('initialize', {}).then(() => order.push('initialize'));
  await Promise.all([...balances, init]);
  return order.indexOf('initialize');
}

test('initialize is answered while balance calls are still running in the workers', async () => {
  assert.ok((await initializePlace(client)) < 6, 'initialize does not wait behind the balance calls');
  // the control: the same project and model with the balancing on the event loop
  const copy = await mkdtemp(path.join(tmpdir(), 'mb-pool-control-'));
  await cp(dir, copy, { recursive: true, filter: (src) => !src.includes('.metabalance') });
  const control = await startServer({ projectDir: copy, port: 0, balancingWorkers: 0, log: () => {} });
  const c = await RpcClient.connect(control.urls.rpc, { token: control.token });
  try {
    assert.equal(await initializePlace(c), 12, 'on the event loop, initialize waits behind every balance call');
  } finally {
    c.ws.terminate();
    await control.close();
  }
});

test('a worker killed mid-call: that call gets an error answer, the next call works', async () => {
  const first = await client.call('level.balance', { levelId: 'L001', seed: 3 });
  let armed = true;
  for (const w of workers) {
    const post = w.postMessage.bind(w);
    w.postMessage = (message: unknown) => {
      post(message);
      if (armed && (message as { type?: string }).type === 'call') {
        armed = false;
        void w.terminate();
      }
    };
  }
  // another seed: the repeated request would be answered from the answer cache, never reaching a worker
  const killed: Response = await client.request('level.balance', { levelId: 'L001', seed: 4 });
  assert.ok('error' in killed, 'the call whose worker died is answered with an error');
  assert.equal(killed.error.code, -32603);
  assert.match(killed.error.message, /balancing worker stopped/);
  assert.equal(armed, false);
  // the same level goes to the same (restarted) worker, which loads the model again
  const again = await client.call<{ current: unknown; playtestCount: number }>('level.balance', { levelId: 'L001', seed: 4 });
  assert.deepEqual([again.current, again.playtestCount], [(first as typeof again).current, (first as typeof again).playtestCount]);
  assert.equal((await client.call<{ levels: unknown[] }>('levels.list', {})).levels.length, LEVELS.length);
});

test('level.suggest checks locked like level.balance; errors keep their JSON-RPC codes and field-level data', async () => {
  const bad: Response = await client.request('level.predict', { levelId: 'L000', params: {}, playtests: [{ metrics: { nope: 1 } }] });
  assert.ok('error' in bad);
  assert.equal(bad.error.code, -32005);
  assert.match(JSON.stringify(bad.error.data), /playtests\[0\]/);
  const unknownLocked: Response = await client.request('level.suggest', { levelId: 'L000', locked: ['nope'] });
  assert.ok('error' in unknownLocked);
  assert.equal(unknownLocked.error.code, -32005);
  assert.match(JSON.stringify(unknownLocked.error.data), /locked: unknown param \\"nope\\"/);
});

test('the workers answer exactly what the balancing service answers in process', async () => {
  const { project } = await client.call<{ project: { params: { name: string }[] } }>('project.get', {});
  const lock = project.params[0]!.name;
  const viaPool = await Promise.all(
    LEVELS.map(async (levelId, i) => ({
      balance: await client.call('level.balance', { levelId, seed: i }),
      suggest: await client.call('level.suggest', { levelId, seed: i, count: 2, locked: [lock] }),
      predict: await client.call('level.predict', { levelId, params: {} }),
    })),
  );
  await initBackend();
  const store = await ProjectStore.open(dir);
  const model = (await loadLatestModel(dir, store.project))!;
  const service = new BalancingService(model);
  try {
    LEVELS.forEach((levelId, i) => {
      const input = storedLevel(store, store.level(levelId)!);
      const suggestions = service.suggest(input, 2, { seed: i, locked: [lock], allowGeneration: false });
      const balance = service.balance(input, { seed: i, locked: [], allowGeneration: false });
      assert.deepEqual(viaPool[i], {
        balance,
        suggest: { levelId, suggestions },
        predict: { levelId, ...service.predict(input, {}) },
      });
      for (const s of suggestions) assert.equal(s.params[lock], balance.current[lock], 'a locked param stays at the level’s value');
    });
  } finally {
    service.dispose();
    model.dispose();
    await store.close();
  }
});
