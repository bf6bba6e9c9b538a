// SIGTERM with appends in flight: every request that reached the server gets its answer before the
// connection closes with 1001, and what the answers say matches what is stored: a playtest is in
// playtests.jsonl exactly when its append was acknowledged as accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Response } from '../../src/rpc/messages.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { Rng } from '../../src/util/rng.js';
import { fixturePlaytest, makeProjectDir } from './fixture.js';
import { serve } from './harness.js';

test('SIGTERM with 30 appends in flight: each is answered, then 1001; accepted ⇔ stored', async () => {
  const dir = await makeProjectDir({ levels: 3, playtestsPerLevel: 2 });
  const server = await serve(dir);
  const clients = await Promise.all([server.connect(), server.connect(), server.connect()]);
  const closes = clients.map((c) => new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code))));
  const rng = new Rng(9);
  // Large enough appends (40 playtests each) that several are still queued when the signal lands.
  const appends = Array.from({ length: 30 }, (_, i) => {
    const playtests = Array.from({ length: 40 }, (_, j) => fixturePlaytest(rng, `L00${i % 3}`, 0, `s-${i}-${j}`));
    const client = clients[i % 3]!;
    return client.request('playtests.append', { playtests }).then(
      (r: Response) => ({ i, r }),
      (err: Error) => ({ i, lost: err.message }),
    );
  });
  // Every frame has left the client before the signal.
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.ws.send('', () => resolve()))));
  const exit = await server.stop('SIGTERM');
  const outcomes = await Promise.all(appends);
  assert.equal(exit.code, 0, server.stderr);
  const unanswered = outcomes.filter((o) => 'lost' in o);
  assert.deepEqual(unanswered, [], `${unanswered.length} of 30 appends were never answered`);
  assert.deepEqual(await Promise.all(closes), [1001, 1001, 1001]);

  const acknowledged = new Set<string>();
  for (const o of outcomes) {
    const r = (o as { r: Response }).r;
    if ('result' in r) for (const id of (r.result as { accepted: string[] }).accepted) acknowledged.add(id);
    else assert.match(r.error.message, /shutting down/, `refused appends say why: ${r.error.message}`);
  }
  assert.ok(acknowledged.size > 0, 'the appends in progress finish');
  const store = await ProjectStore.open(dir);
  try {
    const stored = store.playtests().map((t) => t.id!).filter((id) => id.startsWith('s-'));
    assert.deepEqual(stored.filter((id) => !acknowledged.has(id)), [], 'stored but never acknowledged');
    assert.deepEqual([...acknowledged].filter((id) => !stored.includes(id)), [], 'acknowledged but not stored');
  } finally {
    await store.close();
  }
});
