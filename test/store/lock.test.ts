import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProjectStore, StoreLockedError } from '../../src/store/project-store.js';
import { lockFilePath } from '../../src/store/lock.js';
import { makeProjectDir, playtest } from '../project/fixtures.js';
import { spawnFixture } from './child.js';

describe('writer lock', () => {
  it('keeps a second writer out, naming the holder, until the holder dies', async () => {
    const dir = await makeProjectDir();
    const holder = spawnFixture('hold-lock', [dir]);
    try {
      await holder.waitFor((l) => l.startsWith('locked '));
      const pid = holder.proc.pid as number;
      await assert.rejects(ProjectStore.open(dir, { holdLock: true }), (e: unknown) => {
        assert.ok(e instanceof StoreLockedError);
        assert.equal(e.holder?.pid, pid);
        assert.equal(e.holder?.host, hostname());
        assert.match(e.holder?.command ?? '', /hold-lock/);
        assert.match(e.message, new RegExp(`locked by another writer: pid ${pid} on ${hostname()} \\(.*hold-lock.*\\) since \\d{4}-`));
        return true;
      });
      // A reader may still open it, but its writes wait for the lock and then give up.
      const reader = await ProjectStore.open(dir, { lockWaitMs: 150 });
      await assert.rejects(reader.appendPlaytests([playtest('a')]), StoreLockedError);
      assert.equal(await readFile(path.join(dir, 'playtests.jsonl'), 'utf8'), '');
      holder.proc.kill('SIGKILL');
      await holder.exited;
      // The holder is dead: its lock is stale and taken over.
      const store = await ProjectStore.open(dir, { holdLock: true });
      const held = JSON.parse(await readFile(lockFilePath(dir), 'utf8')) as { pid: number };
      assert.equal(held.pid, process.pid);
      assert.deepEqual((await reader.appendPlaytests([playtest('a')]).catch((e: unknown) => e)) instanceof StoreLockedError, true);
      await store.appendPlaytests([playtest('b')]);
      await store.close();
      // Released on close: the reader can write now, and sees b.
      assert.deepEqual(await reader.appendPlaytests([playtest('a')]), { accepted: ['a'], acceptedIndexes: [0], duplicates: [], rejected: [] });
      assert.deepEqual(reader.playtests().map((p) => p.id), ['b', 'a']);
    } finally {
      holder.proc.kill('SIGKILL');
    }
  });
  it('two processes appending at once serialize through the lock: every record lands whole', async () => {
    const dir = await makeProjectDir();
    const writers = ['a', 'b'].map((prefix) => spawnFixture('append-storm', [dir, prefix, 'shared', '60']));
    const codes = await Promise.all(writers.map((w) => w.exited));
    assert.deepEqual(codes, [0, 0], writers.map((w) => w.stderr()).join('\n'));
    const store = await ProjectStore.open(dir);
    const ids = new Set(store.playtests().map((p) => p.id));
    for (const w of writers) for (const id of w.lines.filter((l) => l !== 'ready')) assert.ok(ids.has(id), id);
    assert.equal(store.playtests().length, 120);
  });
  it('of two processes taking over the same stale lock, exactly one wins', async () => {
    const dir = await makeProjectDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(lockFilePath(dir)), { recursive: true });
    await writeFile(lockFilePath(dir), JSON.stringify({ pid: dead, host: hostname(), command: 'crashed', since: '2026-01-01T00:00:00.000Z' }));
    const contenders = [spawnFixture('hold-lock', [dir]), spawnFixture('hold-lock', [dir])];
    try {
      const outcome = await Promise.race([
        Promise.all(contenders.map((c) => c.exited)).then(() => 'both exited'),
        Promise.any(contenders.map((c) => c.waitFor((l) => l.startsWith('locked ')))).then(async (line) => {
          const loser = contenders.find((c) => !c.lines.includes(line))!;
          return `one locked; the other exited ${String(await loser.exited)}: ${/StoreLockedError/.test(loser.stderr())}`;
        }),
      ]);
      assert.equal(outcome, 'one locked; the other exited 1: true');
    } finally {
      for (const c of contenders) c.proc.kill('SIGKILL');
    }
  });
  it('takes over a lock file left empty by a crash once it is old, but not a fresh one', async () => {
    const dir = await makeProjectDir();
    const store = await ProjectStore.open(dir);
    await store.appendPlaytests([playtest('a')]); // creates .metabalance/
    await writeFile(lockFilePath(dir), '');
    await assert.rejects(ProjectStore.open(dir, { holdLock: true }), /a process that left no details/);
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFilePath(dir), old, old);
    await (await ProjectStore.open(dir, { holdLock: true })).close();
  });
});
