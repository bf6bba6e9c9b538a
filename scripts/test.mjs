// `npm run test:all` (every part) and `npm test` (the fast path: `node scripts/test.mjs build types node`).
// Runs each named part in order, every one even when an earlier one failed, with its full output in
// test-results/<part>.log, and ends with one summary: what ran, what passed, what failed and the
// first lines of why. Exit status 0 only when every part passed. `--verbose` also streams the output;
// `--root DIR` runs the parts of another checkout (the runner's own test uses it).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt === -1 ? path.resolve(here, '..') : path.resolve(args[rootAt + 1] ?? '.');
const results = path.join(root, 'test-results');
const rel = (file) => path.relative(root, file);

/** dist/test/**\/*.test.js; the browser tests are the ones whose source drives Chromium (playwright-core). */
function testFiles() {
  const dir = path.join(root, 'dist', 'test');
  let files = [];
  try {
    files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.test.js')).map((f) => path.join(dir, f)).sort();
  } catch {
    return { node: [], browser: [] };
  }
  const browser = files.filter((f) => readFileSync(f, 'utf8').includes("from 'playwright-core'"));
  return { node: files.filter((f) => !browser.includes(f)), browser };
}

/** Runs a command with its output (stdout and stderr) in `log`; resolves to its exit status. */
function run(cmd, args, log, verbose) {
  return new Promise((resolve) => {
    const out = createWriteStream(log);
    // Without NODE_TEST_CONTEXT: a `node --test` started from inside a test would report to that test's runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, FORCE_COLOR: '0' } });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        out.write(chunk);
        if (verbose) process.stderr.write(chunk);
      });
    }
    child.on('error', (err) => out.end(`${err.message}\n`, () => resolve(127)));
    child.on('close', (code, signal) => out.end(() => resolve(code ?? (signal ? 128 : 1))));
  });
}

const tail = (text, n) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-n);

/** The lines of a failed part's log that say why: those matching `pattern`, else its last lines. */
function why(log, pattern, n = 4) {
  const text = readFileSync(log, 'utf8');
  const hits = text.split('\n').filter((l) => pattern.test(l)).map((l) => l.trim());
  return (hits.length > 0 ? [...new Set(hits)] : tail(text, n)).slice(0, n);
}

/** A node:test part: spec output in the log, counts and failures from scripts/test-summary-reporter.mjs. */
async function nodeTests(files, name, log, verbose) {
  if (files.length === 0) return { ok: false, detail: 'no test files in dist/test (did the build fail?)', why: [] };
  const json = path.join(results, `${name}.jsonl`);
  const status = await run(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-force-exit', '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${path.join(here, 'test-summary-reporter.mjs')}`, `--test-reporter-destination=${json}`, ...files],
    log,
    verbose,
  );
  let ran = [];
  try {
    ran = readFileSync(json, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  } catch {
    // no results file: node --test itself failed (the reasons are in the log)
  }
  if (ran.length === 0) return { ok: false, detail: `node --test exited ${status} without running a test`, why: why(log, /Error|error:/) };
  const count = (result) => ran.filter((r) => r.result === result).length;
  const failures = ran.filter((r) => r.result === 'fail');
  const skipped = count('skip');
  const counts = `${count('pass')} passed, ${failures.length} failed${skipped > 0 ? `, ${skipped} skipped` : ''} (${files.length} files)`;
  const reasons = failures.slice(0, 5).flatMap((f) => [`${f.file ? rel(f.file) : '?'}${f.line ? `:${f.line}` : ''} "${f.name}"`, ...f.why.map((l) => `  ${l}`)]);
  if (failures.length > 5) reasons.push(`… and ${failures.length - 5} more failures`);
  // A skipped test counts as not passed: the suite must not go green by not running something.
  return { ok: status === 0 && failures.length === 0 && skipped === 0, detail: counts, why: reasons.length > 0 ? reasons : tail(readFileSync(log, 'utf8'), 4) };
}

const PARTS = {
  deps: {
    title: 'system packages (Mono, NUnit, Chromium)',
    async run(log, verbose) {
      const status = await run('bash', [path.join(root, 'scripts', 'system-deps.sh')], log, verbose);
      return { ok: status === 0, detail: tail(readFileSync(log, 'utf8'), 1)[0] ?? '', why: why(log, /^system-deps:|E: /) };
    },
  },
  build: {
    title: 'build (tsc -b)',
    async run(log, verbose) {
      const status = await run(process.execPath, [path.join(root, 'scripts', 'build.mjs')], log, verbose);
      const errors = readFileSync(log, 'utf8').split('\n').filter((l) => /error TS\d+/.test(l));
      return { ok: status === 0, detail: status === 0 ? 'ok' : `${errors.length} type errors`, why: why(log, /error TS\d+/) };
    },
  },
  types: {
    title: 'src/project/schema-types.ts matches schemas/',
    async run(log, verbose) {
      const status = await run(process.execPath, [path.join(root, 'scripts', 'gen-types.mjs'), '--check'], log, verbose);
      return { ok: status === 0, detail: status === 0 ? 'current' : 'stale', why: why(log, /./) };
    },
  },
  node: {
    title: 'TypeScript tests (node:test)',
    run: (log, verbose) => nodeTests(testFiles().node, 'node', log, verbose),
  },
  browser: {
    title: 'dashboard tests (Chromium)',
    run: (log, verbose) => nodeTests(testFiles().browser, 'browser', log, verbose),
  },
  unity: {
    title: 'Unity bridge tests (C#: Mono + NUnit)',
    async run(log, verbose) {
      const status = await run('bash', [path.join(root, 'scripts', 'test-unity.sh')], log, verbose);
      const counts = tail(readFileSync(log, 'utf8'), 20).reverse().find((l) => /^\d+ passed, \d+ failed$/.test(l));
      return { ok: status === 0, detail: counts ?? `exit ${status}`, why: why(log, /error CS\d+|^test-unity:|^\d+\) |^\s+(Expected|But was):/, 6) };
    },
  },
};

const verbose = args.includes('--verbose');
const names = args.filter((a, i) => a !== '--verbose' && (rootAt === -1 || (i !== rootAt && i !== rootAt + 1)));
const unknown = names.filter((n) => !(n in PARTS));
if (unknown.length > 0 || args.includes('--help') || (rootAt !== -1 && args[rootAt + 1] === undefined)) {
  console.error(`usage: node scripts/test.mjs [--verbose] [--root DIR] [PART ...]   (parts: ${Object.keys(PARTS).join(', ')}; default: all)`);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const selected = names.length > 0 ? names : Object.keys(PARTS);

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const outcomes = [];
for (const name of selected) {
  const part = PARTS[name];
  const log = path.join(results, `${name}.log`);
  console.error(`▶ ${part.title}…`);
  const started = Date.now();
  const outcome = await part.run(log, verbose);
  const seconds = Math.round((Date.now() - started) / 1000);
  outcomes.push({ name, log, seconds, ...outcome });
  console.error(`${outcome.ok ? '✔' : '✖'} ${part.title}: ${outcome.detail} (${seconds} s)`);
}

const failed = outcomes.filter((o) => !o.ok);
console.error('');
console.error(`summary: ${outcomes.length - failed.length} of ${outcomes.length} parts passed`);
for (const o of outcomes) console.error(`  ${o.ok ? 'pass' : 'FAIL'}  ${o.name.padEnd(7)} ${o.detail} (${o.seconds} s)`);
for (const o of failed) {
  console.error('');
  console.error(`${o.name} failed (full output: ${rel(o.log)}):`);
  for (const line of o.why) console.error(`  ${line}`);
}
process.exit(failed.length === 0 ? 0 : 1);
