// JSON-RPC 2.0 conformance of the real sidecar over a real WebSocket and over HTTP POST /rpc:
// the standard errors, batches, notifications, size limits and the application error codes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RpcClient } from '../support/rpc-client.js';
import { SchemaRegistry } from '../../src/rpc/schemas.js';
import { makeProjectDir } from '../server/fixture.js';
import { serve, type Served } from '../server/harness.js';

type Reply = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } };

let server: Served;
let client: RpcClient;
const schemas = new SchemaRegistry();

before(async () => {
  server = await serve(await makeProjectDir({ levels: 4, playtestsPerLevel: 3 }));
  client = await server.connect();
});

after(async () => {
  await client.close();
  await server.stop();
});

async function raw(text: string, ms?: number): Promise<Reply | Reply[] | null> {
  return (await client.sendRaw(text, ms)) as Reply | Reply[] | null;
}

test('a well-formed request gets its result, valid against the method schema', async () => {
  const r = (await raw(JSON.stringify({ jsonrpc: '2.0', id: 'a1', method: 'initialize', params: { clientName: 'test', protocolVersion: '1.0' } }))) as Reply;
  assert.equal(r.jsonrpc, '2.0');
  assert.equal(r.id, 'a1');
  assert.equal(schemas.check('initialize', 'result')(r.result), null);
  const levels = await client.call('levels.list');
  assert.equal(schemas.check('levels.list', 'result')(levels), null);
  const project = await client.call('project.get');
  assert.equal(schemas.check('project.get', 'result')(project), null);
});

test('parse error: -32700 with id null', async () => {
  const r = (await raw('{"jsonrpc":"2.0","method":"initialize","id":1')) as Reply;
  assert.equal(r.error?.code, -32700);
  assert.equal(r.id, null);
});

test('invalid requests: -32600, echoing the id only when it is valid', async () => {
  const cases: [string, unknown][] = [
    ['42', null],
    ['"hello"', null],
    ['{"jsonrpc":"1.0","method":"initialize","id":7}', 7],
    ['{"jsonrpc":"2.0","method":5,"id":"x"}', 'x'],
    ['{"jsonrpc":"2.0","method":"initialize","params":"p","id":8}', 8],
    ['{"jsonrpc":"2.0","method":"initialize","id":{"a":1}}', null],
    ['{"jsonrpc":"2.0","id":9}', 9],
  ];
  for (const [text, id] of cases) {
    const r = (await raw(text)) as Reply;
    assert.equal(r.error?.code, -32600, text);
    assert.equal(r.id, id, text);
  }
});

test('method not found: -32601', async () => {
  const r = await client.request('no.such.method', {});
  assert.equal('error' in r && r.error.code, -32601);
});

test('invalid params: -32602 with the schema errors in data', async () => {
  const r = await client.request('level.predict', { levelId: 5, params: { enemyHealth: [1] }, bogus: 1 });
  assert.ok('error' in r);
  assert.equal(r.error.code, -32602);
  const data = r.error.data as { errors: string[]; schemaErrors: { instancePath: string; keyword: string }[] };
  assert.ok(data.errors.some((e) => e.startsWith('params.levelId: must be a string')), data.errors.join('\n'));
  assert.ok(data.errors.some((e) => e.startsWith('params.params.enemyHealth')), data.errors.join('\n'));
  assert.ok(data.schemaErrors.some((e) => e.instancePath === '/levelId' && e.keyword === 'type'));
  const positional = await client.request('initialize', ['a', 'b']);
  assert.equal('error' in positional && positional.error.code, -32602);
  const missing = await client.request('job.status', {});
  assert.ok('error' in missing && (missing.error.data as { errors: string[] }).errors.includes('params.jobId: is required'));
});

test('batches: empty → one -32600; invalid items → one error each; mixed with notifications', async () => {
  const empty = (await raw('[]')) as Reply;
  assert.ok(!Array.isArray(empty));
  assert.equal(empty.error?.code, -32600);
  const junk = (await raw('[1,2,3]')) as Reply[];
  assert.equal(junk.length, 3);
  for (const r of junk) assert.equal(r.error?.code, -32600);
  const mixed = (await raw(
    JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'levels.list' },
      { jsonrpc: '2.0', method: 'levels.list' },
      { foo: 'bar' },
      { jsonrpc: '2.0', id: 2, method: 'nope' },
      { jsonrpc: '2.0', method: 'nope' },
      { jsonrpc: '2.0', id: 3, method: 'job.status', params: { jobId: 'j-missing' } },
    ]),
  )) as Reply[];
  assert.ok(Array.isArray(mixed));
  assert.equal(mixed.length, 4);
  const byId = new Map(mixed.map((r) => [r.id, r]));
  assert.ok(byId.get(1)?.result);
  assert.equal(byId.get(null)?.error?.code, -32600);
  assert.equal(byId.get(2)?.error?.code, -32601);
  assert.equal(byId.get(3)?.error?.code, -32004);
});

test('notifications get no response, alone or as a whole batch, even when they fail', async () => {
  assert.equal(await raw(JSON.stringify({ jsonrpc: '2.0', method: 'levels.list' }), 400), null);
  assert.equal(await raw(JSON.stringify({ jsonrpc: '2.0', method: 'nope' }), 400), null);
  assert.equal(await raw(JSON.stringify({ jsonrpc: '2.0', method: 'level.predict', params: { levelId: 3 } }), 400), null);
  assert.equal(await raw(JSON.stringify([{ jsonrpc: '2.0', method: 'levels.list' }, { jsonrpc: '2.0', method: 'nope' }]), 400), null);
  // the connection is still in order afterwards
  assert.ok(await client.call('levels.list'));
});

test('application errors have their documented codes', async () => {
  const mismatch = await client.request('initialize', { protocolVersion: '2.0' });
  assert.equal('error' in mismatch && mismatch.error.code, -32007);
  const unknownLevel = await client.request('level.predict', { levelId: 'NOPE', params: {} });
  assert.equal('error' in unknownLevel && unknownLevel.error.code, -32001);
  const noModel = await client.request('level.balance', { levelId: 'L000' });
  assert.equal('error' in noModel && noModel.error.code, -32002);
  const noModelInfo = await client.request('model.info', {});
  assert.equal('error' in noModelInfo && noModelInfo.error.code, -32002);
  const unknownJob = await client.request('job.cancel', { jobId: 'train-nope' });
  assert.equal('error' in unknownJob && unknownJob.error.code, -32004);
  const badProject = await client.request('project.update', {
    project: { name: 'x', params: [{ name: 'enemyHealth', min: 20, max: 200 }], metrics: [{ name: 'won', kind: 'rate' }] },
  });
  assert.ok('error' in badProject);
  assert.equal(badProject.error.code, -32005);
  assert.ok(Array.isArray((badProject.error.data as { problems: string[] }).problems));
});

test('playtests.append answers which records were accepted and why others were rejected', async () => {
  const r = await client.call<{ accepted: string[]; duplicates: string[]; rejected: { index: number; errors: string[] }[] }>('playtests.append', {
    playtests: [
      { id: 'c-1', levelId: 'L000', params: { enemyHealth: 90 }, metrics: { won: 1, durationSec: 400 } },
      { id: 'c-2', levelId: 'L000', params: { enemyHealth: 'lots' }, metrics: { won: 1 } },
      { id: 'c-3', levelId: 'NOPE', metrics: { won: 0 } },
      { id: 'c-1', levelId: 'L000', params: { enemyHealth: 90 }, metrics: { won: 1, durationSec: 400 } },
    ],
  });
  assert.equal(schemas.check('playtests.append', 'result')(r), null);
  assert.deepEqual(r.accepted, ['c-1']);
  assert.deepEqual(r.duplicates, ['c-1']);
  assert.deepEqual(r.rejected.map((x) => x.index), [1, 2]);
  assert.ok(r.rejected[0]!.errors.some((e) => e.includes('enemyHealth')), r.rejected[0]!.errors.join('\n'));
});

test('size limits: batch, message and HTTP body over the limit get -32008; the connection survives', async () => {
  const big = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'levels.list' })));
  const batch = (await raw(big)) as Reply;
  assert.equal(batch.error?.code, -32008);
  assert.match(batch.error!.message, /batch of 300 requests is over the limit of 256/);
  const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'playtests.append', params: { playtests: [], pad: 'x'.repeat(5 * 1024 * 1024) } });
  const frame = (await raw(huge)) as Reply;
  assert.equal(frame.error?.code, -32008);
  assert.match(frame.error!.message, /payload too large/);
  assert.ok(await client.call('levels.list'));
  const body = await server.rpcPost(huge);
  assert.equal(body.status, 413);
  assert.equal((JSON.parse(body.body) as Reply).error?.code, -32008);
});

test('a frame over the hard limit closes only that connection (1009)', async () => {
  const victim = await server.connect();
  const closed = new Promise<number>((resolve) => victim.ws.once('close', (code) => resolve(code)));
  victim.ws.send('x'.repeat(17 * 1024 * 1024));
  assert.equal(await closed, 1009);
  assert.ok(await client.call('levels.list'));
});

test('HTTP POST /rpc speaks the same protocol: results, errors, batches, 204 for notifications only', async () => {
  const ok = await server.rpcPost({ jsonrpc: '2.0', id: 1, method: 'levels.list' });
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.body) as Reply).id, 1);
  const parse = await server.rpcPost('{oops');
  assert.equal((JSON.parse(parse.body) as Reply).error?.code, -32700);
  const notif = await server.rpcPost({ jsonrpc: '2.0', method: 'levels.list' });
  assert.equal(notif.status, 204);
  assert.equal(notif.body, '');
  const batch = await server.rpcPost([{ jsonrpc: '2.0', id: 1, method: 'nope' }, { jsonrpc: '2.0', id: 2, method: 'project.get' }]);
  const replies = JSON.parse(batch.body) as Reply[];
  assert.equal(replies.length, 2);
  const health = await server.http('GET', '/health');
  assert.equal(health.status, 200);
  assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
});

test('project.update and levels.upsert are durable and announced to the other clients only', async () => {
  const other = await server.connect();
  try {
    const { project } = await client.call<{ project: Record<string, unknown> }>('project.get');
    const updated = await client.call<{ project: { description?: string } }>('project.update', { project: { ...project, description: 'tuned' } });
    assert.equal(updated.project.description, 'tuned');
    const upsert = await client.call<{ accepted: string[] }>('levels.upsert', { levels: [{ id: 'L900', features: { area: 900, chokepoints: 2 } }, { id: 'L901', features: { area: 'big' } }] });
    valid('levels.upsert', upsert);
    assert.deepEqual(upsert.accepted, ['L900']);
    await other.waitFor((n) => n.method === 'project.changed' && n.params.what === 'project', 5000);
    const levels = await other.waitFor((n) => n.method === 'project.changed' && n.params.what === 'levels', 5000);
    assert.deepEqual(levels.params.ids, ['L900']);
    assert.equal(client.notifications.filter((n) => n.method === 'project.changed').length, 0, 'the caller is not told about its own change');
    const listed = await other.call<{ levels: { id: string; playtestCount: number }[] }>('levels.list');
    assert.deepEqual(listed.levels.find((l) => l.id === 'L900'), { id: 'L900', features: { area: 900, chokepoints: 2 }, playtestCount: 0 });
  } finally {
    await other.close();
  }
});

function valid(method: string, result: unknown): void {
  assert.equal(schemas.check(method, 'result')(result), null);
}
