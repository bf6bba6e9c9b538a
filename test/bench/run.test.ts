// The benchmark runner's command line, spawned for real: help and usage mistakes, never a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'run.js');
const bench = (...args: string[]) => spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8' });

describe('npm run bench (bench/run.js)', () => {
  it('--help prints the usage on stdout and runs nothing', () => {
    for (const flag of ['--help', '-h']) {
      const r = bench(flag);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^usage: npm run bench /);
      assert.match(r.stdout, /--only NAME +one benchmark: sine, trainers, balance, segments, speed, rpc, /);
      assert.equal(r.stderr, '');
    }
  });
  it('a mistake: exit 2, the mistake and the usage on stderr, no stack trace', () => {
    const r = bench('--only', 'nope');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^bench: --only: unknown benchmark "nope" \(one of sine, trainers, balance, segments, speed, rpc, [a-z, ]+\)\n\nusage: /);
    assert.doesNotMatch(r.stderr, /\n +at /);
  });
});

describe('the tuning tool (bench/tune.js)', () => {
  const tune = (...args: string[]) => spawnSync(process.execPath, [path.join(path.dirname(runner), 'tune.js'), ...args], { encoding: 'utf8' });
  it('--help prints the usage on stdout and runs nothing', () => {
    const r = tune('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: node dist\/bench\/tune\.js /);
    assert.equal(r.stderr, '');
  });
  it('a mistake: exit 2, what was wrong and the usage on stderr, no stack trace', () => {
    for (const [args, message] of [
      [['--nope'], /^tune: Unknown option '--nope'/],
      [['--past', 'many'], /^tune: --past: a number \(got "many"\)/],
      [['--k', '2,,6'], /^tune: --k: a comma-separated list of numbers \(got "2,,6"\)/],
      [['--config', '{steps:1}'], /^tune: --config: not JSON /],
      [['--objective', 'speed'], /^tune: --objective: pmeet or loss \(got "speed"\)/],
    ] as const) {
      const r = tune(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.match(r.stderr, /\n\nusage: node dist\/bench\/tune\.js /);
      assert.doesNotMatch(r.stderr, /\n +at /);
    }
  });
});
