// scripts/test.mjs (npm test, npm run test:all) on a checkout whose tests fail, spawned for real: every
// part runs though an earlier one failed, and one summary says what failed and why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/test.mjs');

test('test.mjs runs every part, and its summary names each failure with the first lines of why', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'mb-test-runner-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'dist', 'test', 'a'), { recursive: true });
  await mkdir(path.join(root, 'scripts'));
  const ok = "import test from 'node:test';\ntest('fine', () => {});\n";
  const bad = "import assert from 'node:assert/strict';\nimport test from 'node:test';\ntest('the widget', () => { assert.equal('blue', 'red', 'the widget is blue'); });\n";
  await writeFile(path.join(root, 'dist', 'test', 'ok.test.js'), ok);
  await writeFile(path.join(root, 'dist', 'test', 'a', 'bad.test.js'), bad);
  await writeFile(path.join(root, 'package.json'), '{"type":"module"}\n');
  // The C# part as a compile error leaves it: 600 lines of noise, the error, the count.
  const unity = path.join(root, 'scripts', 'test-unity.sh');
  await writeFile(unity, `#!/usr/bin/env bash\nfor i in $(seq 600); do echo "noise $i" >&2; done\necho "Bridge.cs(3,5): error CS0103: The name 'x' does not exist" >&2\necho "0 passed, 1 failed"\nexit 1\n`);
  await chmod(unity, 0o755);

  const r = spawnSync(process.execPath, [runner, '--root', root, 'node', 'unity'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const summary = r.stderr.slice(r.stderr.indexOf('summary:'));
  assert.match(summary, /^summary: 0 of 2 parts passed\n {2}FAIL {2}node {4}1 passed, 1 failed \(2 files\) \(\d+ s\)\n {2}FAIL {2}unity {3}0 passed, 1 failed \(\d+ s\)\n/);
  assert.match(summary, /node failed \(full output: test-results\/node\.log\):\n {2}dist\/test\/a\/bad\.test\.js:3 "the widget"\n {4}the widget is blue\n/);
  assert.match(summary, /unity failed \(full output: test-results\/unity\.log\):\n {2}Bridge\.cs\(3,5\): error CS0103: The name 'x' does not exist\n/);
  assert.ok(r.stderr.split('\n').length < 25, `a short report, not the logs:\n${r.stderr}`);
  assert.match(await readFile(path.join(root, 'test-results', 'unity.log'), 'utf8'), /noise 600\n/);
});
