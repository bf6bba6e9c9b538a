// 10,000 random and mutated frames against the real server: no crash, no internal error, every
// frame with a usable id answered, the connection and the server still in order, memory flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RpcClient } from '../support/rpc-client.js';
import { Rng } from '../../src/util/rng.js';
import { makeProjectDir } from './fixture.js';
import { serve, trainSmall, type Served } from './harness.js';

const TEMPLATES: [number, unknown][] = [
  [30, { jsonrpc: '2.0', id: 'fuzz-1', method: 'level.predict', params: { levelId: 'L001', params: { enemyHealth: 90, potionRate: 0.5, roomCount: 4, archetype: 'melee' } } }],
  [10, { jsonrpc: '2.0', id: 'fuzz-2', method: 'initialize', params: { clientName: 'fuzz', clientVersion: '1', protocolVersion: '1.0' } }],
  [10, { jsonrpc: '2.0', id: 'fuzz-3', method: 'playtests.list', params: { levelId: 'L002', offset: 1, limit: 3 } }],
  [8, { jsonrpc: '2.0', id: 'fuzz-4', method: 'job.status', params: { jobId: 'train-x' } }],
  [8, { jsonrpc: '2.0', id: 'fuzz-5', method: 'levels.list', params: {} }],
  [8, { jsonrpc: '2.0', id: 'fuzz-6', method: 'project.get' }],
  [8, { jsonrpc: '2.0', id: 'fuzz-7', method: 'model.info', params: {} }],
  [6, [{ jsonrpc: '2.0', id: 'fuzz-8', method: 'levels.list' }, { jsonrpc: '2.0', method: 'project.get' }]],
  [6, { jsonrpc: '2.0', id: 'fuzz-9', method: 'level.predict', params: { levelId: 'L000', params: {}, playtests: [{ params: { enemyHealth: 60 }, metrics: { won: 1 } }] } }],
  [1, { jsonrpc: '2.0', id: 'fuzz-10', method: 'level.balance', params: { levelId: 'L001', seed: 2 } }],
  [1, { jsonrpc: '2.0', id: 'fuzz-11', method: 'job.cancel', params: { jobId: 'nope' } }],
];
const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, '', 'x'.repeat(300), '__proto__', {}, [], { __proto__: { polluted: 1 } }, [[[]]], { constructor: { prototype: 1 } }, '\u0000\ud800', 'L001'];

function pickTemplate(rng: Rng): unknown {
  const total = TEMPLATES.reduce((s, [w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [w, t] of TEMPLATES) if ((r -= w) < 0) return structuredClone(t);
  return structuredClone(TEMPLATES[0]![1]);
}

/** Replaces one value somewhere inside `v` with something weird (structure-aware mutation). */
function mutateValue(rng: Rng, v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 4 || rng.next() < 0.25) return rng.pick(WEIRD);
  if (Array.isArray(v)) {
    if (v.length === 0 || rng.next() < 0.2) return [...v, rng.pick(WEIRD)];
    const i = rng.int(0, v.length);
    v[i] = mutateValue(rng, v[i], depth + 1);
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0 || rng.next() < 0.15) {
    o[rng.pick(['extra', '__proto__', 'constructor', 'id', 'params', 'method'])] = rng.pick(WEIRD);
  } else if (rng.next() < 0.15) {
    delete o[rng.pick(keys)];
  } else {
    const k = rng.pick(keys);
    o[k] = mutateValue(rng, o[k], depth + 1);
  }
  return o;
}

function mutateText(rng: Rng, text: string): string {
  const chars = [...text];
  const n = rng.int(1, 6);
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, chars.length + 1);
    switch (rng.int(0, 4)) {
      case 0:
        chars.splice(at, 1);
        break;
      case 1:
        chars.splice(at, 0, rng.pick(['{', '}', '[', ']', '"', ',', ':', '\\', 'null', '1e999', '\u0000', '\ud83d']));
        break;
      case 2:
        chars.length = Math.min(chars.length, at);
        break;
      default:
        chars.splice(at, 0, ...chars.slice(0, rng.int(0, 20)));
    }
  }
  return chars.join('');
}

function frame(rng: Rng): string | Buffer {
  const kind = rng.next();
  if (kind < 0.45) return JSON.stringify(mutateValue(rng, pickTemplate(rng)));
  if (kind < 0.8) return mutateText(rng, JSON.stringify(pickTemplate(rng)));
  if (kind < 0.9) return Buffer.from(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 256)));
  if (kind < 0.95) return rng.pick(['', ' ', 'null', '[]', '[[]]', '{}', '"x"', '[' .repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(3000), '1'.repeat(1000)]);
  return JSON.stringify(Array.from({ length: rng.int(1, 20) }, () => mutateValue(rng, pickTemplate(rng))));
}

async function memory(server: Served): Promise<{ rss: number; heapUsed: number }> {
  return (JSON.parse((await server.http('GET', '/health')).body) as { memory: { rss: number; heapUsed: number } }).memory;
}

async function blast(client: RpcClient, rng: Rng, count: number): Promise<{ internal: number }> {
  let internal = 0;
  const seen = client.onNotification(() => {});
  const errors: string[] = [];
  const listener = (data: Buffer): void => {
    const text = data.toString();
    if (text.includes('"code":-32603')) {
      internal++;
      if (errors.length < 5) errors.push(text.slice(0, 300));
    }
  };
  client.ws.on('message', listener);
  for (let i = 0; i < count; i++) {
    client.ws.send(frame(rng));
    // keep the pipe bounded: every 50 frames, wait for a real answer
    if (i % 50 === 49) assert.ok(await client.call('project.get'));
  }
  assert.ok(await client.call('levels.list'));
  client.ws.off('message', listener);
  seen();
  if (errors.length > 0) console.error(errors.join('\n'));
  return { internal };
}

test('10,000 random and mutated frames: no crash, no internal error, flat memory', async () => {
  const server = await serve(await makeProjectDir({ levels: 6, playtestsPerLevel: 6 }));
  try {
    const client = await server.connect();
    await trainSmall(client, 40);
    const rng = new Rng(2026);
    const warm = await blast(client, rng, 2000);
    const m1 = await memory(server);
    const rest = await blast(client, rng, 8000);
    const m2 = await memory(server);
    assert.equal(warm.internal + rest.internal, 0, 'no -32603 internal errors');
    assert.equal(server.proc.exitCode, null, 'the server is alive');
    const heapGrowth = (m2.heapUsed - m1.heapUsed) / 2 ** 20;
    const rssGrowth = (m2.rss - m1.rss) / 2 ** 20;
    assert.ok(heapGrowth < 32, `heapUsed grew ${heapGrowth.toFixed(1)} MiB over 8,000 frames`);
    assert.ok(rssGrowth < 64, `RSS grew ${rssGrowth.toFixed(1)} MiB over 8,000 frames`);
    // a fresh client is served normally
    const fresh = await server.connect();
    assert.equal((await fresh.call<{ protocolVersion: string }>('initialize', {})).protocolVersion, '1.0');
    await fresh.close();
    await client.close();
    assert.doesNotMatch(server.stderr, /failed:|TypeError|RangeError/);
  } finally {
    await server.stop();
  }
});

test('deeply nested values inside well-formed requests are answered as bad input, not fatal', { timeout: 60_000 }, async () => {
  const server = await serve(await makeProjectDir({ levels: 2, playtestsPerLevel: 2 }));
  try {
    const client = await server.connect();
    const deepArray = '['.repeat(8000) + ']'.repeat(8000);
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const frames: [string, string][] = [
      ['d1', `{"jsonrpc":"2.0","id":"d1","method":"initialize","params":{"clientName":${deepArray}}}`],
      ['d2', `{"jsonrpc":"2.0","id":"d2","method":"playtests.append","params":{"playtests":[{"levelId":"L001","params":{"enemyHealth":${deepArray}},"metrics":{"won":1}}]}}`],
      ['d3', `{"jsonrpc":"2.0","id":"d3","method":"level.predict","params":{"levelId":"L001","params":{"enemyHealth":${deepObject}}}}`],
    ];
    const replies = new Map<string, { error?: { code: number; message: string }; result?: { rejected: { errors: string[] }[] } }>();
    let allAnswered = (): void => {};
    const answered = new Promise<void>((resolve, reject) => {
      allAnswered = resolve;
      client.ws.once('close', (code: number) => reject(new Error(`the connection closed (${code}) before every frame was answered`)));
    });
    const listener = (data: Buffer): void => {
      const reply = JSON.parse(data.toString()) as { id?: string };
      if (typeof reply.id === 'string') replies.set(reply.id, reply as never);
      if (replies.size === frames.length) allAnswered();
    };
    client.ws.on('message', listener);
    for (const [, text] of frames) client.ws.send(text);
    await answered;
    client.ws.off('message', listener);
    assert.ok(await client.call('levels.list'), 'the connection still answers');
    assert.equal(replies.get('d1')?.error?.code, -32602);
    assert.match(replies.get('d1')?.error?.message ?? '', /params\.clientName: must be a string \(got a value nested too deeply to show\)/);
    assert.match(replies.get('d2')?.result?.rejected[0]?.errors[0] ?? '', /^params\.enemyHealth: must be a number, a boolean or a string/);
    assert.equal(replies.get('d3')?.error?.code, -32602);
    assert.equal(server.proc.exitCode, null, 'the server is alive');
    await client.close();
    assert.doesNotMatch(server.stderr, /failed|RangeError/);
  } finally {
    await server.stop();
  }
});
