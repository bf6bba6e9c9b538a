// Caps on work and replies, against the real server: a small request must not be able to make
// the sidecar build a reply of any size, and every call gets a JSON-RPC answer.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { RpcClient } from '../support/rpc-client.js';
import { LIMITS } from '../../src/server/limits.js';
import { makeProjectDir } from './fixture.js';
import { serve, type Served } from './harness.js';

type Reply = { id: unknown; result?: { playtests: unknown[]; total: number }; error?: { code: number; message: string; data?: Record<string, unknown> } };

let server: Served;
let client: RpcClient;

before(async () => {
  // 1,500 playtests: a page of 1,000 is a few hundred KB, so 256 of them are far over a batch's budget.
  server = await serve(await makeProjectDir({ levels: 25, playtestsPerLevel: 60 }));
  client = await server.connect();
});

after(async () => {
  await client.close();
  await server.stop();
});

const listBatch = (n: number, limit: number): string =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'playtests.list', params: { limit } })));

test('playtests.list pages: at most 1000 a page whatever the limit, offset and total', async () => {
  const page = await client.call<{ playtests: { id: string }[]; total: number }>('playtests.list', { offset: 1000 });
  assert.equal(page.total, 1500);
  assert.equal(page.playtests.length, 500);
  const first = await client.call<{ playtests: { id: string }[] }>('playtests.list', {});
  assert.equal(first.playtests.length, 1000, 'the default page is the maximum');
  const over = await client.call<{ playtests: { id: string }[]; total: number }>('playtests.list', { limit: 10_000 });
  assert.equal(over.playtests.length, 1000);
  assert.deepEqual(over.playtests.map((t) => t.id), first.playtests.map((t) => t.id));
  assert.equal((await client.call<{ playtests: unknown[] }>('playtests.list', { limit: 3, offset: 1499 })).playtests.length, 1);
});

function checkCappedBatch(replies: Reply[], frameBytes: number): void {
  assert.equal(replies.length, 256, 'every call in the batch is answered');
  assert.deepEqual(replies.map((r) => r.id), Array.from({ length: 256 }, (_, i) => i));
  assert.ok(frameBytes <= LIMITS.batchReplyBytes + 64 * 1024, `the batch's reply is ${frameBytes} bytes`);
  const served = replies.filter((r) => r.result);
  const capped = replies.filter((r) => r.error);
  assert.ok(served.length > 0 && served.every((r) => r.result!.playtests.length === 1000));
  assert.ok(capped.length > 0, 'the calls past the budget are refused');
  for (const r of capped) {
    assert.equal(r.error!.code, -32008);
    assert.equal(r.error!.data!.limit, LIMITS.batchReplyBytes);
    assert.match(r.error!.message, /reply too large/);
  }
  // Results first, then refusals: once the budget is spent nothing more is run.
  assert.equal(replies.findIndex((r) => r.error), served.length);
}

test('a batch of 256 playtests.list (limit 10,000) is answered within the batch reply budget, the rest with -32008 (WebSocket)', async () => {
  const text = (await client.sendRaw(listBatch(256, 10_000), 60_000)) as Reply[] | null;
  assert.ok(Array.isArray(text), 'the batch is answered');
  checkCappedBatch(text, Buffer.byteLength(JSON.stringify(text)));
  assert.ok(await client.call('levels.list'), 'the connection survives');
});

test('the same batch over HTTP POST /rpc: 200 with JSON-RPC answers, never a plain-text 400', async () => {
  const reply = await server.rpcPost(listBatch(256, 10_000));
  assert.equal(reply.status, 200);
  assert.match(String(reply.headers['content-type']), /application\/json/);
  checkCappedBatch(JSON.parse(reply.body) as Reply[], Buffer.byteLength(reply.body));
});

/** A raw TCP connection to the server: what it received, and when the server closed it. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  const t0 = Date.now();
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  socket.on('error', () => undefined);
  return { socket, received: () => text, closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - t0))) };
}

/** Writes one byte a second until the socket closes. */
function trickle(socket: Socket): void {
  const timer = setInterval(() => (socket.writable ? socket.write('x') : clearInterval(timer)), 1000);
  socket.once('close', () => clearInterval(timer));
}

test('a request without the token is answered 401 and its connection closed at once, though the body still trickles', { timeout: 30_000 }, async () => {
  const c = rawConnection(server.info.port);
  c.socket.write(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${server.info.port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
  trickle(c.socket);
  const ms = await c.closed;
  assert.match(c.received(), /^HTTP\/1\.1 401 /);
  assert.ok(ms < 5000, `closed after ${ms} ms`);
});

test('headers that never end and a body that trickles are cut off by the request timeout (408)', { timeout: 60_000 }, async () => {
  const headers = rawConnection(server.info.port);
  headers.socket.write(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${server.info.port}\r\n`);
  const body = rawConnection(server.info.port);
  body.socket.write(
    `POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:${server.info.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
  );
  trickle(headers.socket);
  trickle(body.socket);
  const [msHeaders, msBody] = await Promise.all([headers.closed, body.closed]);
  const bound = LIMITS.requestTimeoutMs + 10_000;
  assert.ok(msHeaders < bound && msBody < bound, `closed after ${msHeaders} and ${msBody} ms`);
  assert.match(headers.received(), /^HTTP\/1\.1 408 /);
  assert.match(body.received(), /^HTTP\/1\.1 408 /);
});

test('past the connection cap a request and a WebSocket handshake get a clear 503; under it again, service resumes', { timeout: 60_000 }, async () => {
  const idle: Socket[] = [];
  // With this test's client already connected, the last of these is over the cap.
  for (let i = 0; i < LIMITS.connections; i++) idle.push(connect(server.info.port, '127.0.0.1').on('error', () => undefined));
  await Promise.all(idle.map((s) => new Promise((resolve) => (s.readyState === 'open' ? resolve(null) : s.once('connect', resolve)))));
  const refused = await server.http('GET', '/health');
  assert.equal(refused.status, 503);
  assert.match(refused.body, /too many connections \(the limit is 1024\)/);
  await assert.rejects(server.connect(), /HTTP 503/);
  for (const s of idle) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await server.http('GET', '/health')).status, 200);
  assert.ok(await client.call('levels.list'));
});
