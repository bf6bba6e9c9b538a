// `npm run bench [-- --quick] [-- --only NAME]`: runs every benchmark and prints markdown tables
// (with machine, date and commit) on stdout, progress on stderr. The README quotes this output.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendName, initBackend } from '../src/model/backend.js';
import { log } from './report.js';

interface Bench {
  name: string;
  file: string;
}

interface BenchModule {
  run(opts: { quick: boolean }): Promise<string>;
}

const BENCHES: Bench[] = [
  { name: 'sine', file: 'sine.js' },
  { name: 'trainers', file: 'trainers.js' },
  { name: 'balance', file: 'balance-quality.js' },
  { name: 'segments', file: 'segments.js' },
  { name: 'speed', file: 'speed.js' },
  { name: 'rpc', file: 'rpc.js' },
  { name: 'limits', file: 'limits.js' },
  { name: 'scale', file: 'scale.js' },
  { name: 'typing', file: 'typing.js' },
  { name: 'gap', file: 'prediction-gap.js' },
  { name: 'corpus', file: 'corpus-limit.js' },
  { name: 'context', file: 'context-limit.js' },
];

const USAGE = `usage: npm run bench [-- --quick] [-- --only NAME]

Runs the benchmarks and prints markdown tables (machine, date, commit) on stdout, progress on stderr.
The README's "Performance" numbers are the full run (the balance part alone about an hour on 2 cores,
plus the scale section: a million playtests, 15–30 minutes more).

  --quick       smaller corpora and budgets: a smoke run, not the README numbers
  --only NAME   one benchmark: ${BENCHES.map((b) => b.name).join(', ')}
  -h, --help    this help`;

/** A mistake on the command line: printed with the usage, no stack trace, exit 2. */
class UsageError extends Error {}

function parseArgs(argv: string[]): { quick: boolean; only: string | undefined; help: boolean } {
  let only: string | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return { quick, only, help: true };
    if (a === '--quick') quick = true;
    else if (a === '--only') only = argv[++i];
    else if (a.startsWith('--only=')) only = a.slice('--only='.length);
    else throw new UsageError(`unknown argument "${a}"`);
  }
  if (only !== undefined && !BENCHES.some((b) => b.name === only)) {
    throw new UsageError(`--only: unknown benchmark "${only}" (one of ${BENCHES.map((b) => b.name).join(', ')})`);
  }
  return { quick, only, help: false };
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const { quick, only, help } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await initBackend();
  const cpus = os.cpus();
  const header = [
    '# metabalance benchmarks',
    '',
    `- machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    `- TensorFlow.js backend: ${backendName()}`,
    `- date: ${new Date().toISOString()}`,
    `- commit: ${commit()}`,
    `- mode: ${quick ? 'quick (smaller corpora and budgets; not the README numbers)' : 'full'}`,
  ];
  process.stdout.write(header.join('\n') + '\n');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const bench of BENCHES) {
    if (only !== undefined && bench.name !== only) continue;
    const file = path.join(here, bench.file);
    log(`bench ${bench.name}…`);
    const started = Date.now();
    const mod = (await import(pathToFileURL(file).href)) as BenchModule;
    const text = await mod.run({ quick });
    process.stdout.write(`\n${text}\n\n_${bench.name}: ${((Date.now() - started) / 1000).toFixed(0)} s_\n`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
