// Two clients appending 1,000 playtests each at the same time: every acknowledged playtest is
// stored exactly once, re-sent ids come back as duplicates, the OTHER client hears about each
// change, and the folder reloads with exactly what was acknowledged.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Notification } from '../../src/rpc/messages.js';
import { ProjectStore } from '../../src/store/project-store.js';
import { Rng } from '../../src/util/rng.js';
import { fixturePlaytest, makeProjectDir } from './fixture.js';
import { serve } from './harness.js';

interface AppendReply {
  accepted: string[];
  duplicates: string[];
  rejected: unknown[];
}

test('two clients × 1,000 concurrent appends: nothing lost, nothing duplicated, the folder reloads', async () => {
  const dir = await makeProjectDir({ levels: 5, playtestsPerLevel: 4 });
  const initial = 20;
  const server = await serve(dir);
  const [a, b] = await Promise.all([server.connect(), server.connect()]);
  const make = (who: string) => {
    const rng = new Rng(who === 'a' ? 11 : 12);
    return Array.from({ length: 1000 }, (_, i) => fixturePlaytest(rng, `L00${i % 5}`, 0, `${who}-${i}`));
  };
  const recordsA = make('a');
  const recordsB = make('b');
  // b also re-sends 100 of a's records (same content): each must end up stored once
  const resent = recordsA.slice(0, 100);
  const send = (client: typeof a, records: Record<string, unknown>[]) =>
    Promise.all(records.map((r) => client.call<AppendReply>('playtests.append', { playtests: [r] })));
  const [repliesA, repliesB, repliesResent] = await Promise.all([send(a, recordsA), send(b, recordsB), send(b, resent)]);

  const acceptedA = repliesA.flatMap((r) => r.accepted);
  const acceptedB = [...repliesB, ...repliesResent].flatMap((r) => r.accepted);
  const duplicates = [...repliesA, ...repliesB, ...repliesResent].flatMap((r) => r.duplicates);
  assert.equal([...repliesA, ...repliesB, ...repliesResent].flatMap((r) => r.rejected).length, 0);
  const all = [...acceptedA, ...acceptedB];
  assert.equal(all.length, 2000, 'every distinct playtest accepted once');
  assert.equal(new Set(all).size, 2000);
  assert.equal(duplicates.length, 100, 'every re-sent one reported as a duplicate');
  assert.deepEqual(new Set(all), new Set([...recordsA, ...recordsB].map((r) => r.id as string)));

  const listed = await a.call<{ total: number }>('playtests.list', { limit: 0 });
  assert.equal(listed.total, initial + 2000);

  // each client heard about the other's accepted playtests, never about its own
  const heard = (n: Notification[]) => n.filter((x) => x.method === 'project.changed').flatMap((x) => x.params.ids as string[]);
  await waitUntil(() => heard(a.notifications).length >= acceptedB.length && heard(b.notifications).length >= acceptedA.length);
  assert.deepEqual(new Set(heard(a.notifications)), new Set(acceptedB));
  assert.deepEqual(new Set(heard(b.notifications)), new Set(acceptedA));

  await Promise.all([a.close(), b.close()]);
  assert.equal((await server.stop()).code, 0);

  const lines = (await readFile(path.join(dir, 'playtests.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, initial + 2000);
  const store = await ProjectStore.open(dir);
  try {
    const ids = store.playtests().map((t) => t.id);
    assert.equal(ids.length, initial + 2000);
    assert.equal(new Set(ids).size, initial + 2000);
    assert.deepEqual(store.repairs, []);
  } finally {
    await store.close();
  }
});

async function waitUntil(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
