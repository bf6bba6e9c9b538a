// The answer cache on the real server (`metabalance serve`, worker pool, real files): a repeated
// request is answered identically without being computed again (the server's own counters in
// /health say which calls were computed), and nothing that changes an answer is served stale —
// appends, a level's new features, a retrained model, a changed project.json.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import type { RpcClient } from '../support/rpc-client.js';
import { fixturePlaytest, fixtureProject, makeProjectDir } from './fixture.js';
import { serve, trainSmall, type Served } from './harness.js';

interface Counts {
  hits: number;
  joined: number;
  misses: number;
  entries: number;
}

interface Balance {
  levelId: string;
  pMeet: number;
  playtestCount: number;
  params: Record<string, unknown>;
}

let server: Served;
let client: RpcClient;

before(async () => {
  const dir = await makeProjectDir({ levels: 4, playtestsPerLevel: 6 });
  server = await serve(dir);
  client = await server.connect();
  await trainSmall(client);
});

after(async () => {
  await client.close();
  await server.stop();
});

async function counts(): Promise<Counts> {
  return (JSON.parse((await server.http('GET', '/health')).body) as { answers: Counts }).answers;
}

/** What `work` cost the server: how many calls it computed, answered from the cache, or joined. */
async function cost<T>(work: () => Promise<T>): Promise<{ result: T; misses: number; hits: number; joined: number }> {
  const before = await counts();
  const result = await work();
  const now = await counts();
  return { result, misses: now.misses - before.misses, hits: now.hits - before.hits, joined: now.joined - before.joined };
}

test('a repeated balance, suggest or predict is answered identically and not computed again', async () => {
  const requests: [string, Record<string, unknown>][] = [
    ['level.balance', { levelId: 'L000', seed: 5 }],
    ['level.suggest', { levelId: 'L000', seed: 5, count: 2 }],
    ['level.predict', { levelId: 'L000', params: { enemyHealth: 90 } }],
  ];
  for (const [name, params] of requests) {
    const first = await cost(() => client.call(name, params));
    assert.equal(first.misses, 1, `${name}: the first call is computed`);
    const again = await cost(() => client.call(name, params));
    assert.deepEqual(again.result, first.result, `${name}: the same answer`);
    assert.deepEqual([again.misses, again.hits], [0, 1], `${name}: the second call is not computed`);
  }
  // the same settings written differently (defaults spelled out, keys in another order) are the same request
  const spelled = await cost(() => client.call('level.balance', { seed: 5, allowGeneration: false, locked: [], levelId: 'L000' }));
  assert.deepEqual([spelled.misses, spelled.hits], [0, 1]);
});

test('different seeds, options, methods and inline playtests are different entries', async () => {
  const base = { levelId: 'L001', seed: 1 };
  const variants: [string, Record<string, unknown>][] = [
    ['level.balance', base],
    ['level.balance', { ...base, seed: 2 }],
    ['level.balance', { ...base, locked: ['potionRate'] }],
    ['level.balance', { ...base, allowGeneration: true }],
    ['level.balance', { ...base, stayNear: 0.5 }],
    ['level.suggest', { ...base, count: 1 }],
    ['level.balance', { ...base, playtests: [{ params: { enemyHealth: 60 }, metrics: { won: 1, durationSec: 400 } }] }],
    ['level.balance', { ...base, playtests: [{ params: { enemyHealth: 61 }, metrics: { won: 1, durationSec: 400 } }] }],
  ];
  const answers: unknown[] = [];
  for (const [name, params] of variants) {
    const { result, misses } = await cost(() => client.call(name, params));
    assert.equal(misses, 1, `${name} ${JSON.stringify(params)} is computed, not taken from another request's entry`);
    answers.push(result);
  }
  // and each is then kept under its own key
  for (const [i, [name, params]] of variants.entries()) {
    const again = await cost(() => client.call(name, params));
    assert.equal(again.misses, 0);
    assert.deepEqual(again.result, answers[i]);
  }
});

test('identical requests sent together are computed once', async () => {
  const params = { levelId: 'L002', seed: 77 };
  const together = await cost(() => Promise.all(Array.from({ length: 8 }, () => client.call('level.balance', params))));
  assert.equal(together.misses, 1);
  assert.equal(together.joined + together.hits, 7);
  for (const answer of together.result) assert.deepEqual(answer, together.result[0]);
});

test('an append to the level is not served stale: the answer counts the new playtest', async () => {
  const params = { levelId: 'L003', seed: 3 };
  const before = await client.call<Balance>('level.balance', params);
  const other = await client.call<Balance>('level.balance', { levelId: 'L002', seed: 3 });
  await client.call('playtests.append', { playtests: [fixturePlaytest(new Rng(9), 'L003', 0.2, 'L003-new')] });
  const after = await cost(() => client.call<Balance>('level.balance', params));
  assert.equal(after.misses, 1, 'recomputed after the append');
  assert.equal(after.result.playtestCount, before.playtestCount + 1);
  const untouched = await cost(() => client.call<Balance>('level.balance', { levelId: 'L002', seed: 3 }));
  assert.deepEqual([untouched.misses, untouched.result], [0, other], "another level's answer is still kept");
});

test('levels.upsert with new features for the level is not served stale', async () => {
  const params = { levelId: 'L001', seed: 9 };
  const before = await client.call('level.predict', { levelId: 'L001', params: {} });
  await client.call('level.balance', params);
  await client.call('levels.upsert', { levels: [{ id: 'L001', features: { area: 2500, chokepoints: 10 } }] });
  const predicted = await cost(() => client.call('level.predict', { levelId: 'L001', params: {} }));
  assert.equal(predicted.misses, 1);
  assert.notDeepEqual(predicted.result, before, 'the prediction follows the new features');
  assert.equal((await cost(() => client.call('level.balance', params))).misses, 1);
});

test('a retrained model and a changed project.json are answered afresh', async () => {
  const params = { levelId: 'L000', seed: 5 };
  const onFirst = await client.call<Balance>('level.balance', params);
  await trainSmall(client, 40);
  const onSecond = await cost(() => client.call<Balance>('level.balance', params));
  assert.equal(onSecond.misses, 1, 'recomputed on the new model');
  assert.notDeepEqual(onSecond.result, onFirst, 'the new model answers differently');
  assert.equal((await cost(() => client.call('level.balance', params))).misses, 0, 'and that answer is kept');

  const targets = fixtureProject.targets.map((t) => (t.metric === 'won' ? { ...t, target: 0.9 } : { ...t, target: 250 }));
  await client.call('project.update', { project: { ...fixtureProject, targets } });
  const retargeted = await cost(() => client.call<Balance>('level.balance', params));
  assert.equal(retargeted.misses, 1, 'recomputed against the new targets');
  assert.notDeepEqual(retargeted.result, onSecond.result);
});
