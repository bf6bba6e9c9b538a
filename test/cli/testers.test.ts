// `metabalance testers` and the RPC method testers.classify on one real project of the sample game's
// typed testers: trained through the real executable, then asked through the CLI and the real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeSampleProject } from '../../samples/crypt-run/generate.js';
import type { TestersClassifyResult } from '../../src/rpc/protocol-types.js';
import { ErrorCode } from '../../src/rpc/errors.js';
import { CLI, serve } from '../server/harness.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeout = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let root: string;
let dir: string;
let declared: Map<string, string>;
let segments: string[];

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mb-testers-'));
  dir = path.join(root, 'project');
  const corpus = await writeSampleProject(dir, { seed: 5, pastLevels: 40, playtestsPerPast: 12, newLevels: 0, playtestsPerNew: 0, testers: 'typed' });
  segments = corpus.project.segments.map((g) => g.name);
  declared = new Map(corpus.project.segments.flatMap((g) => g.testers.map((t): [string, string] => [t, g.name])));
  const t = await cli(['train', '--project', dir, '--steps', '200', '--seed', '1']);
  assert.equal(t.code, 0, t.stderr);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function checkTyping(result: TestersClassifyResult, testers: readonly string[]): void {
  assert.deepEqual(result.segments, segments);
  assert.deepEqual(result.testers.map((t) => t.tester).sort(), [...testers].sort());
  for (const t of result.testers) {
    const sum = Object.values(t.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6, `${t.tester}: probabilities sum to ${sum}`);
    assert.deepEqual(Object.keys(t.probabilities).sort(), [...segments].sort(), t.tester);
    const own = declared.get(t.tester);
    if (own !== undefined) {
      assert.deepEqual([t.segment, t.declared, t.confidence, t.probabilities[own]], [own, true, 1, 1], t.tester);
    } else {
      const best = Math.max(...Object.values(t.probabilities));
      assert.equal(t.declared, false, t.tester);
      assert.equal(t.confidence, best, t.tester);
      assert.equal(t.probabilities[t.segment], best, `${t.tester}: its segment is the most probable one`);
    }
  }
}

test('testers --json lists every tester: declared ones as declared, the others with their most probable segment', async () => {
  const playtests = (await readFile(path.join(dir, 'playtests.jsonl'), 'utf8')).trim().split('\n');
  const runs = new Map<string, number>();
  for (const line of playtests) {
    const tester = (JSON.parse(line) as { tester: string }).tester;
    runs.set(tester, (runs.get(tester) ?? 0) + 1);
  }
  const r = await cli(['testers', '--project', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as TestersClassifyResult;
  checkTyping(result, [...runs.keys()]);
  for (const t of result.testers) assert.equal(t.playtests, runs.get(t.tester), t.tester);
  assert.ok(result.testers.some((t) => !t.declared), 'the sample declares only a part of its testers');
  assert.ok(result.testers.some((t) => t.declared));

  const table = await cli(['testers', '--project', dir]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^tester +runs +segment +how +${segments.join(' +')}$`));
  assert.equal(lines.length, result.testers.length + 1);
  const inferred = result.testers.find((t) => !t.declared)!;
  const row = lines.find((l) => l.startsWith(inferred.tester + ' '))!;
  assert.match(row, new RegExp(` ${inferred.segment} +inferred, ${Math.round(100 * inferred.confidence)} %`));
});

test('testers.classify over the real server answers what the CLI does, and only the testers asked for', async () => {
  const all = JSON.parse((await cli(['testers', '--project', dir, '--json'])).stdout) as TestersClassifyResult;
  const some = [all.testers.find((t) => t.declared)!.tester, all.testers.find((t) => !t.declared)!.tester, 'nobody-played'];
  const server = await serve(dir);
  try {
    const client = await server.connect();
    try {
      assert.deepEqual(await client.call<TestersClassifyResult>('testers.classify', {}), all);
      const picked = await client.call<TestersClassifyResult>('testers.classify', { testers: some });
      checkTyping(picked, some);
      for (const name of some.slice(0, 2)) {
        assert.deepEqual(
          picked.testers.find((t) => t.tester === name),
          all.testers.find((t) => t.tester === name),
        );
      }
      const nobody = picked.testers.find((t) => t.tester === 'nobody-played')!;
      assert.equal(nobody.playtests, 0);
      await assert.rejects(client.call('testers.classify', { testers: [''] }), (e: { code?: number }) => e.code === ErrorCode.InvalidParams);
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
});

test('a project without segments is told so, naming project.json, in the CLI (exit 2) and over RPC (-32005)', async () => {
  const file = path.join(dir, 'project.json');
  const original = await readFile(file, 'utf8');
  const { segments: _dropped, ...rest } = JSON.parse(original) as Record<string, unknown>;
  await writeFile(file, JSON.stringify(rest, null, 2));
  try {
    const r = await cli(['testers', '--project', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /project\.json: segments: the project declares no segments/);
    const server = await serve(dir);
    try {
      const client = await server.connect();
      try {
        await assert.rejects(client.call('testers.classify', {}), (e: { code?: number; message?: string }) => e.code === ErrorCode.InvalidInput && /declares no segments/.test(e.message ?? ''));
      } finally {
        client.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await writeFile(file, original);
  }
});
