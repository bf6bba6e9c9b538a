// The 10 s ping: a peer that stops answering pings is dropped; one that answers stays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { makeProjectDir } from './fixture.js';
import { serve } from './harness.js';

test('a peer that does not answer pings is dropped within two ping intervals; a live one stays', async () => {
  const server = await serve(await makeProjectDir({ levels: 1, playtestsPerLevel: 1 }));
  try {
    const live = await server.connect();
    const dead = new WebSocket(server.info.rpc, { headers: { authorization: `Bearer ${server.token}` }, autoPong: false });
    await new Promise((resolve, reject) => dead.once('open', resolve).once('error', reject));
    let pinged = 0;
    dead.on('ping', () => pinged++);
    const clients = async () => (JSON.parse((await server.http('GET', '/health')).body) as { clients: number }).clients;
    assert.equal(await clients(), 2);
    const t0 = Date.now();
    const closed = await new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    const after = Date.now() - t0;
    assert.ok(pinged >= 1, 'the server pinged');
    assert.equal(closed, 1006, 'terminated, not closed politely');
    assert.ok(after <= 21_000, `dropped after ${after} ms`);
    assert.equal(await clients(), 1);
    assert.ok(await live.call('levels.list'), 'the live client is still served');
    await live.close();
  } finally {
    await server.stop();
  }
});
