import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { latestModelFolder, newModelId, writeModelFolder } from '../../src/store/model-folders.js';
import { makeProjectDir } from '../project/fixtures.js';

describe('model folders', () => {
  it('model ids sort by creation time, even within one millisecond', () => {
    const t = new Date('2026-11-22T15:05:12.123Z');
    const ids = [newModelId(new Date('2026-11-22T09:00:00Z')), newModelId(t), newModelId(t), newModelId(new Date('2026-11-23T00:00:00Z'))];
    assert.equal(ids[1], 'm-20261122T150512123Z-000');
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 4);
  });
  it('writes a folder atomically and finds the newest complete one', async () => {
    const dir = await makeProjectDir();
    assert.equal(await latestModelFolder(dir), null);
    const older = newModelId(new Date('2026-01-01T00:00:00Z'));
    const newer = newModelId(new Date('2026-02-01T00:00:00Z'));
    await writeModelFolder(dir, older, { 'model.json': '{"a":1}', 'weights.bin': new Uint8Array([1, 2, 3]) });
    const written = await writeModelFolder(dir, newer, { 'model.json': '{"b":2}', 'weights.bin': new Uint8Array(10) });
    assert.deepEqual(await latestModelFolder(dir), { id: newer, dir: written });
    assert.equal(await readFile(path.join(written, 'model.json'), 'utf8'), '{"b":2}');
    assert.deepEqual((await readdir(path.join(dir, 'models'))).sort(), [older, newer].sort());
    // A newer folder that is incomplete (a file cut short, or no manifest at all) does not count.
    await writeFile(path.join(written, 'weights.bin'), new Uint8Array(4));
    assert.equal((await latestModelFolder(dir))?.id, older);
    await mkdir(path.join(dir, 'models', 'm-29990101T000000000Z-000'));
    await writeFile(path.join(dir, 'models', 'm-29990101T000000000Z-000', 'model.json'), '{}');
    assert.equal((await latestModelFolder(dir))?.id, older);
    // Leftover temporary folders of a crashed writer are ignored.
    await mkdir(path.join(dir, 'models', '.tmp-m-3000-1'));
    assert.equal((await latestModelFolder(dir))?.id, older);
  });
  it('refuses to overwrite an existing model and leaves no temporary folder behind', async () => {
    const dir = await makeProjectDir();
    await writeModelFolder(dir, 'm-1', { 'a.txt': 'x' });
    await assert.rejects(writeModelFolder(dir, 'm-1', { 'a.txt': 'y' }));
    assert.deepEqual(await readdir(path.join(dir, 'models')), ['m-1']);
    assert.equal(await readFile(path.join(dir, 'models', 'm-1', 'a.txt'), 'utf8'), 'x');
    await assert.rejects(writeModelFolder(dir, '../evil', {}), /invalid model id/);
    await assert.rejects(writeModelFolder(dir, 'm-2', { '../x': 'y' }), /invalid model file name/);
  });
  it('the next writer removes the temporary folder of a writer killed mid-save, and keeps one a live writer owns', async () => {
    const dir = await makeProjectDir();
    const models = path.join(dir, 'models');
    // Real processes that start a save (their temporary folder, one file in it) and then hang.
    const saver = (): ChildProcess =>
      spawn(process.execPath, ['-e', `const fs=require('fs');const d=process.argv[1]+'/.tmp-m-20260101T000000000Z-000-'+process.pid;fs.mkdirSync(d,{recursive:true});fs.writeFileSync(d+'/weights.bin','x');console.log('saving');setInterval(()=>{},1000)`, models], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = (p: ChildProcess) => new Promise((resolve) => p.stdout!.once('data', resolve));
    const killed = saver();
    const live = saver();
    try {
      await Promise.all([started(killed), started(live)]);
      killed.kill('SIGKILL');
      await new Promise((resolve) => killed.once('exit', resolve));
      const before = (await readdir(models)).sort();
      assert.equal(before.length, 2);
      await writeModelFolder(dir, 'm-2', { 'a.txt': 'x' });
      assert.deepEqual((await readdir(models)).sort(), ['.tmp-m-20260101T000000000Z-000-' + live.pid, 'm-2'].sort());
    } finally {
      live.kill('SIGKILL');
    }
  });
});
