// Starting and stopping: kill -9 during appends loses no acknowledged playtest, a port in use
// exits 2 with a clear message, SIGTERM stops gracefully (job cancelled, sockets closed with
// 1001, lock released, token removed), and binding beyond loopback warns.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ProjectStore } from '../../src/store/project-store.js';
import { Rng } from '../../src/util/rng.js';
import { fixturePlaytest, makeProjectDir } from './fixture.js';
import { runServe, serve, trainSmall } from './harness.js';

test('kill -9 during appends loses no acknowledged playtest', async () => {
  const dir = await makeProjectDir({ levels: 3, playtestsPerLevel: 2 });
  const server = await serve(dir);
  const client = await server.connect();
  const acked: string[] = [];
  const rng = new Rng(5);
  let n = 0;
  let killed = false;
  const writer = async (): Promise<void> => {
    while (!killed) {
      const batch = Array.from({ length: 5 }, () => fixturePlaytest(rng, `L00${n % 3}`, 0, `k-${n++}`));
      try {
        const r = await client.call<{ accepted: string[] }>('playtests.append', { playtests: batch });
        acked.push(...r.accepted);
      } catch {
        return; // the connection died with the server: this request was never acknowledged
      }
    }
  };
  const writers = [writer(), writer(), writer()];
  while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
  server.proc.kill('SIGKILL');
  killed = true;
  await server.waitExit();
  await Promise.all(writers);
  client.ws.terminate();

  // the dead server's lock is stale: a new writer takes it over and sees every acknowledged playtest
  const store = await ProjectStore.open(dir, { holdLock: true });
  try {
    const stored = new Set(store.playtests().map((t) => t.id));
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged playtests lost`);
    assert.ok(acked.length >= 300);
  } finally {
    await store.close();
  }
});

test('a port in use: a clear message and exit 2', async () => {
  const server = await serve(await makeProjectDir({ levels: 1, playtestsPerLevel: 1 }));
  try {
    const other = await makeProjectDir({ levels: 1, playtestsPerLevel: 1 });
    const r = await runServe(['--project', other, '--port', String(server.info.port)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`port ${server.info.port} on 127\\.0\\.0\\.1 is already in use`));
    assert.equal(r.stdout, '');
    assert.equal(existsSync(path.join(other, '.metabalance', 'token')), false);
  } finally {
    await server.stop();
  }
});

test('bad usage and a missing project exit 2', async () => {
  const usage = await runServe(['--port', 'eighty']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--port/);
  const missing = await runServe(['--project', '/nonexistent/metabalance-project', '--port', '0']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /project\.json/);
});

test('SIGTERM: the running job is cancelled, clients are closed with 1001, the lock and token are released', async () => {
  const dir = await makeProjectDir({ levels: 6, playtestsPerLevel: 6 });
  const server = await serve(dir);
  const client = await server.connect();
  const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
  const { jobId } = await client.call<{ jobId: string }>('model.train', { steps: 100000 });
  await client.waitFor((n) => n.method === 'job.progress' && n.params.jobId === jobId && (n.params.step as number) > 0, 60_000);
  const t0 = Date.now();
  const exit = await server.stop('SIGTERM');
  assert.equal(exit.code, 0);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.equal(await closed, 1001);
  const finished = client.notifications.find((n) => n.method === 'job.finished');
  assert.equal(finished?.params.state, 'cancelled');
  assert.match(server.stderr, /shutting down/);
  assert.equal(existsSync(path.join(dir, '.metabalance', 'token')), false);
  const models = existsSync(path.join(dir, 'models')) ? await readdir(path.join(dir, 'models')) : [];
  assert.deepEqual(models.filter((m) => !m.startsWith('.')), [], 'a cancelled job saves no model');
  const store = await ProjectStore.open(dir, { holdLock: true });
  await store.close();
});

test('--host beyond loopback prints a warning; SIGINT stops like SIGTERM', async () => {
  const server = await serve(await makeProjectDir({ levels: 1, playtestsPerLevel: 1 }), ['--host', '0.0.0.0']);
  try {
    assert.match(server.stderr, /warning: listening on 0\.0\.0\.0, beyond loopback/);
    const health = await server.http('GET', '/health');
    assert.equal(health.status, 200);
  } finally {
    assert.equal((await server.stop('SIGINT')).code, 0);
  }
  assert.match(server.stderr, /stopped/);
});

test('a model trained for an older project definition is dropped by project.update and does not stop a restart', async () => {
  const dir = await makeProjectDir({ levels: 3, playtestsPerLevel: 4 });
  const first = await serve(dir);
  const client = await first.connect();
  const modelId = await trainSmall(client, 20);
  const { project } = await client.call<{ project: { params: unknown[] } }>('project.get');
  await client.call('project.update', { project: { ...project, description: 'same params, other words' } });
  assert.equal((await client.call<{ modelId: string }>('model.info')).modelId, modelId, 'a model that still fits is kept');
  // The designer adds a param (e.g. from the Unity balance asset): the model no longer fits.
  await client.call('project.update', { project: { ...project, params: [...project.params, { name: 'spawnRate', type: 'float', min: 0.2, max: 3, default: 1 }] } });
  for (const [method, params] of [['model.info', {}], ['level.balance', { levelId: 'L001' }]] as const) {
    const r = await client.request(method, params);
    assert.equal('error' in r && r.error.code, -32002, method);
  }
  await client.close();
  assert.equal((await first.stop()).code, 0);
  const second = await serve(dir);
  try {
    assert.match(second.stderr, /warning: not using the saved model: .*different project definition/);
    const retry = await second.connect();
    const info = await retry.request('model.info', {});
    assert.equal('error' in info && info.error.code, -32002);
    await trainSmall(retry, 20);
    assert.ok(await retry.call('model.info', {}), 'a model trained for the new definition is in use');
    await retry.close();
  } finally {
    await second.stop();
  }
});
