// The built `metabalance` executable, spawned for real: exit statuses and the stdout/stderr split.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const cli = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('metabalance (the executable)', () => {
  it('starts with a shebang', async () => {
    assert.match(await readFile(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
  it('runs as an executable, as npm links the bin (no `node` in front)', () => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(r.error, undefined, `spawning ${bin}: ${r.error?.message}`);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
  it('prints help and version on stdout, exit 0', () => {
    const help = cli(tmpdir(), '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: metabalance <command>/);
    for (const name of ['init', 'validate', 'import', 'train', 'balance', 'suggest', 'loop', 'testers', 'serve']) assert.match(help.out, new RegExp(`\\n  ${name} `));
    assert.equal(help.err, '');
    assert.equal(cli(tmpdir()).code, 0);
    const version = cli(tmpdir(), '--version');
    assert.equal(version.code, 0);
    assert.match(version.out, /^\d+\.\d+\.\d+\n$/);
  });
  it('ends quietly when its reader closes stdout early (`| head`)', async () => {
    const child = spawn(process.execPath, [bin, 'validate', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(err, '');
    assert.equal(code, 0);
  });
  it('prints each command\'s help', () => {
    for (const name of ['init', 'validate', 'import']) {
      const r = cli(tmpdir(), name, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^usage: metabalance ${name} `));
      assert.deepEqual(cli(tmpdir(), 'help', name).out, r.out);
    }
  });
  it('bad usage: exit 2, message on stderr only', () => {
    const unknown = cli(tmpdir(), 'frobnicate');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.out, '');
    assert.match(unknown.err, /unknown command "frobnicate"/);
    const flag = cli(tmpdir(), 'validate', '--projekt', 'x');
    assert.equal(flag.code, 2);
    assert.equal(flag.err, 'metabalance validate: unknown option --projekt (did you mean --project?)\nsee: metabalance validate --help\n');
    assert.match(cli(tmpdir(), 'valdate').err, /^metabalance: unknown command "valdate" \(did you mean "validate"\?\)/);
  });
  it('init, import and validate end to end', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'metabalance-bin-'));
    assert.equal(cli(cwd, 'init', 'proj').code, 0);
    await writeFile(path.join(cwd, 'levels.csv'), 'id,feature.area,feature.chokepoints\nL1,1200,3\nL2,800,\n');
    await writeFile(path.join(cwd, 'plays.csv'), 'levelId,param.enemyHealth,param.roomCount,metric.won,metric.deaths,id\nL1,80,4,1,2,a\nL2,120,5,0,7,b\n');
    const lv = cli(cwd, 'import', '--project', 'proj', 'levels.csv');
    assert.deepEqual([lv.code, lv.out], [0, 'imported 2 levels from levels.csv; skipped 0 duplicates\n']);
    const pt = cli(cwd, 'import', '--project', 'proj', 'plays.csv', '--json');
    assert.deepEqual([pt.code, JSON.parse(pt.out)], [0, { kind: 'playtests', file: 'plays.csv', imported: 2, duplicates: 0, warnings: 0 }]);
    assert.equal(pt.err, 'imported: a, b\n');
    const ok = cli(cwd, 'validate', '--project', 'proj');
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^ok: project "proj": .* 2 levels, 2 playtests \(per level 1–1/);
    await writeFile(path.join(cwd, 'proj', 'playtests.jsonl'), '{"levelId":"L1","params":{"enemyHealth":"lots"},"metrics":{"won":1}}\n', { flag: 'a' });
    const bad = cli(cwd, 'validate', '--project', 'proj');
    assert.equal(bad.code, 2);
    assert.equal(bad.out, '');
    assert.equal(bad.err, 'playtests.jsonl:3: params.enemyHealth: must be a number (got "lots")\nmetabalance validate: 1 problem\n');
  });
  it('a missing project is bad input (exit 2) naming the file', () => {
    const r = cli(tmpdir(), 'validate', '--project', 'no-such-project-dir');
    assert.equal(r.code, 2);
    assert.match(r.err, /^project\.json: not found in .*no-such-project-dir \(create a project with: metabalance init DIR\)\n/);
  });
});
