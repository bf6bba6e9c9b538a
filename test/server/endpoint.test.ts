// The RPC endpoint with the real dispatcher, methods and schemas over a real project folder, driven
// directly so that timing is exact: a reply over the per-reply cap, and a drain (shutdown) that lets
// the append in flight finish and answer while a message arriving meanwhile is refused, not run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dispatcher } from '../../src/rpc/dispatcher.js';
import { allMethods } from '../../src/rpc/methods/index.js';
import { SchemaRegistry } from '../../src/rpc/schemas.js';
import type { RpcServices } from '../../src/rpc/services.js';
import { RpcEndpoint } from '../../src/server/endpoint.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { SerialQueue } from '../../src/util/serial-queue.js';
import { Rng } from '../../src/util/rng.js';
import { fixturePlaytest, makeProjectDir } from './fixture.js';

type Reply = { id: unknown; result?: { accepted?: string[]; levels?: unknown[] }; error?: { code: number; message: string; data?: Record<string, unknown> } };

async function endpoint(maxReplyBytes: number): Promise<{ endpoint: RpcEndpoint; store: ProjectStore }> {
  const store = await ProjectStore.open(await makeProjectDir({ levels: 20, playtestsPerLevel: 2 }), { holdLock: true });
  const writes = new SerialQueue();
  // Only what these methods use: the store, its write queue, and announcements (to nobody here).
  const services = { store, exclusive: (w: () => Promise<unknown>) => writes.run(w), broadcast: () => undefined } as unknown as RpcServices;
  const dispatcher = new Dispatcher(allMethods(), new SchemaRegistry(), { maxBatch: 256, maxReplyBytes, maxBatchReplyBytes: maxReplyBytes, validateResults: true, log: () => undefined });
  return { endpoint: new RpcEndpoint(dispatcher, services), store };
}

function ask(e: RpcEndpoint, request: unknown): Promise<Reply | null> {
  return new Promise((resolve, reject) => {
    e.answer(JSON.stringify(request), { id: 'test' }, (text) => resolve(text === null ? null : (JSON.parse(text) as Reply))).catch(reject);
  });
}

test('a reply over the per-reply cap is answered -32008 with the limit, scope and size', async () => {
  const { endpoint: e, store } = await endpoint(1500);
  try {
    const r = (await ask(e, { jsonrpc: '2.0', id: 7, method: 'levels.list' }))!;
    assert.equal(r.id, 7);
    assert.equal(r.error?.code, -32008);
    assert.equal(r.error!.data!.limit, 1500);
    assert.equal(r.error!.data!.scope, 'reply');
    assert.ok((r.error!.data!.size as number) > 1500);
    const small = (await ask(e, { jsonrpc: '2.0', id: 8, method: 'project.get' }))!;
    assert.ok(small.result, 'a reply within the cap is sent as it is');
  } finally {
    await store.close();
  }
});

test('drain: the append in flight finishes and is answered; a message arriving meanwhile is refused without being run', async () => {
  const { endpoint: e, store } = await endpoint(4 * 1024 * 1024);
  try {
    const rng = new Rng(3);
    const playtests = Array.from({ length: 500 }, (_, i) => fixturePlaytest(rng, 'L001', 0, `d-${i}`));
    let firstAnswered = false;
    const inFlight = new Promise<Reply>((resolve) => {
      void e.answer(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'playtests.append', params: { playtests } }), { id: 'test' }, (text) => {
        firstAnswered = true;
        resolve(JSON.parse(text!) as Reply);
      });
    });
    const drained = e.drain(30_000).then((ok) => ({ ok, firstAnswered }));
    const late = await ask(e, [
      { jsonrpc: '2.0', id: 2, method: 'playtests.append', params: { playtests: [fixturePlaytest(rng, 'L001', 0, 'late')] } },
      { jsonrpc: '2.0', method: 'levels.list' },
    ]);
    assert.deepEqual(await drained, { ok: true, firstAnswered: true }, 'drained only once the append in flight was answered');
    const first = await inFlight;
    assert.equal(first.result?.accepted?.length, 500);
    assert.ok(Array.isArray(late) && late.length === 1, 'one answer: the notification gets none');
    const refused = (late as unknown as Reply[])[0]!;
    assert.equal(refused.id, 2);
    assert.equal(refused.error?.code, -32603);
    assert.match(refused.error!.message, /server shutting down: playtests\.append was not run/);
    assert.equal(store.playtests().some((t) => t.id === 'late'), false);
    assert.equal(store.playtests().filter((t) => t.id!.startsWith('d-')).length, 500);
  } finally {
    await store.close();
  }
});
