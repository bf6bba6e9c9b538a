// Training jobs in a worker thread: predictions keep answering for 20 clients while a job runs,
// progress arrives at least once a second, cancel stops a job within a second, one job at a time,
// and a finished job's model is in use (atomically) when job.finished arrives.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SchemaRegistry } from '../../src/rpc/schemas.js';
import type { RpcClient } from '../support/rpc-client.js';
import { makeProjectDir } from './fixture.js';
import { serve, trainSmall, type Served } from './harness.js';

let server: Served;
let client: RpcClient;
let firstModel: string;
const schemas = new SchemaRegistry();

before(async () => {
  server = await serve(await makeProjectDir({ levels: 12, playtestsPerLevel: 10 }));
  client = await server.connect();
  firstModel = await trainSmall(client, 60);
});

after(async () => {
  await client.close();
  await server.stop();
});

function valid(method: string, result: unknown): void {
  const errors = schemas.check(method, 'result')(result);
  assert.equal(errors, null, JSON.stringify(errors?.problems));
}

test('a finished job: its model is in use and saved; the level methods answer per their schemas', async () => {
  const info = await client.call<{ modelId: string }>('model.info');
  valid('model.info', info);
  assert.equal(info.modelId, firstModel);
  assert.ok(existsSync(path.join(server.dir, 'models', firstModel)));
  valid('level.predict', await client.call('level.predict', { levelId: 'L003', params: { enemyHealth: 120 } }));
  const balanced = await client.call<{ playtestCount: number }>('level.balance', { levelId: 'L003', seed: 1 });
  valid('level.balance', balanced);
  assert.equal(balanced.playtestCount, 10);
  valid('level.suggest', await client.call('level.suggest', { levelId: 'L003', count: 2 }));
  const inline = await client.call<{ playtestCount: number }>('level.balance', {
    levelId: 'L003',
    playtests: [{ params: { enemyHealth: 50 }, metrics: { won: 1, durationSec: 300 } }],
  });
  assert.equal(inline.playtestCount, 1);
});

test('bad candidate params or inline playtests: -32005 naming the field', async () => {
  const out = await client.request('level.predict', { levelId: 'L003', params: { enemyHealth: 5000, nope: 1 } });
  assert.ok('error' in out);
  assert.equal(out.error.code, -32005);
  const problems = (out.error.data as { problems: string[] }).problems;
  assert.ok(problems.some((p) => p.startsWith('params.enemyHealth')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('nope')), problems.join('\n'));
  const inline = await client.request('level.predict', { levelId: 'L003', params: {}, playtests: [{ metrics: { won: 'yes' } }] });
  assert.ok('error' in inline);
  assert.equal(inline.error.code, -32005);
  assert.ok((inline.error.data as { problems: string[] }).problems.some((p) => p.startsWith('playtests[0].metrics.won')));
  const locked = await client.request('level.balance', { levelId: 'L003', locked: ['nope'] });
  assert.equal('error' in locked && locked.error.code, -32005);
  const pull = await client.request('level.balance', { levelId: 'L003', stayNear: -1 });
  assert.ok('error' in pull);
  assert.equal(pull.error.code, -32602);
  assert.ok((pull.error.data as { errors: string[] }).errors.some((e) => e.startsWith('params.stayNear')), JSON.stringify(pull.error.data));
  valid('level.suggest', await client.call('level.suggest', { levelId: 'L003', count: 2, stayNear: 0 }));
});

test('20 clients keep getting predictions during training; progress at least once a second; cancel within 1 s', async () => {
  const clients = await Promise.all(Array.from({ length: 20 }, () => server.connect()));
  // adapting to a level happens once per (model, level, playtests) and is cached: warm the ten levels
  for (let i = 0; i < 10; i++) await client.call('level.predict', { levelId: `L00${i}`, params: {} });
  const arrivals: number[] = [];
  const { jobId } = await client.call<{ jobId: string }>('model.train', { steps: 100000, seed: 3 });
  client.onNotification((n) => {
    if (n.method === 'job.progress' && n.params.jobId === jobId) arrivals.push(Date.now());
  });
  try {
    await client.waitFor((n) => n.method === 'job.progress' && n.params.jobId === jobId && (n.params.step as number) > 0, 60_000);
    await predictWhileTraining(clients, jobId, arrivals);
  } finally {
    await client.request('job.cancel', { jobId });
    await Promise.all(clients.map((c) => c.close()));
  }
});

async function predictWhileTraining(clients: RpcClient[], jobId: string, arrivals: number[]): Promise<void> {

  const second = await client.request('model.train', {});
  assert.ok('error' in second);
  assert.equal(second.error.code, -32003);
  assert.equal((second.error.data as { jobId: string }).jobId, jobId);

  // what-if sliders: each client asks again 20 ms after its answer
  const answered: number[] = clients.map(() => 0);
  const started = Date.now();
  await Promise.all(
    clients.map(async (c, i) => {
      while (Date.now() - started < 3000) {
        const r = await c.call<{ levelId: string }>('level.predict', { levelId: `L00${i % 10}`, params: { enemyHealth: 30 + (i % 7) * 20 } });
        assert.equal(r.levelId, `L00${i % 10}`);
        answered[i]!++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }),
  );
  const status = await client.call<{ state: string; step: number; curve: unknown[] }>('job.status', { jobId });
  valid('job.status', status);
  assert.equal(status.state, 'running', 'the job was running all along');
  assert.ok(status.step > 0 && status.curve.length > 0);
  assert.ok(Math.min(...answered) >= 5, `answers per client in 3 s: ${answered.join(' ')}`);

  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
  // (arrivals cover the whole run so far, worker start-up included)
  assert.ok(arrivals.length >= 3, `${arrivals.length} progress notifications`);
  assert.ok(Math.max(...gaps) <= 1000, `a gap of ${Math.max(...gaps)} ms between job.progress notifications`);

  const t0 = Date.now();
  const cancelled = await client.call<{ state: string }>('job.cancel', { jobId });
  const took = Date.now() - t0;
  valid('job.cancel', cancelled);
  assert.equal(cancelled.state, 'cancelled');
  assert.ok(took <= 1000, `cancel took ${took} ms`);
  const finished = await client.waitFor((n) => n.method === 'job.finished' && n.params.jobId === jobId);
  assert.equal(finished.params.state, 'cancelled');
  // the model in use is still the first one
  assert.equal((await client.call<{ modelId: string }>('model.info')).modelId, firstModel);
}

test('a second finished job replaces the model; predictions then come from the new one', async () => {
  const before = await client.call<{ predicted: Record<string, { mean: number }> }>('level.predict', { levelId: 'L001', params: {} });
  const secondModel = await trainSmall(client, 80);
  assert.notEqual(secondModel, firstModel);
  assert.equal((await client.call<{ modelId: string }>('model.info')).modelId, secondModel);
  const after = await client.call<{ predicted: Record<string, { mean: number }> }>('level.predict', { levelId: 'L001', params: {} });
  assert.notDeepEqual(after.predicted, before.predicted);
  const health = JSON.parse((await server.http('GET', '/health')).body) as { model: string };
  assert.equal(health.model, secondModel);
});
