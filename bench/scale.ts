// A million playtests (issue 13, item 10): 10,000 crypt-run levels × 100 playtests, written as the
// import files a studio would hand over, then the real CLI (`node dist/src/cli/main.js`, one child
// process a step) imports them, validates the project, trains with default settings and balances
// 100 levels. Wall time is measured around each child; peak RSS (maximum resident set size) and CPU
// time are the kernel's figures for the child, read through GNU time (`/usr/bin/time -f '%M %U %S'`). Goals: training ≤ 10 min
// and ≤ 1 GB on 2 cores. `--quick` is 1,000 × 100.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/project/paths.js';
import { generateCorpus } from '../samples/crypt-run/corpus.js';
import { projectFile } from '../samples/crypt-run/game.js';
import { log, markdownTable, runWhenMain } from './report.js';

const MiB = 1024 * 1024;
/** Levels generated at a time: the bench itself never holds the whole corpus. */
const SLICE = 200;
const BALANCED_LEVELS = 100;
const TRAIN_GOAL = { seconds: 600, bytes: 1000 * MiB };

interface Step {
  name: string;
  seconds: number;
  /** user + system CPU time: on a shared machine the wall time also counts waiting for a core */
  cpuSeconds: number;
  peakRssBytes: number;
}

/** Generates the corpus slice by slice (each level draws from its own seeded stream, so slicing changes nothing). */
async function writeCorpus(dir: string, levels: number, perLevel: number): Promise<{ levelsFile: string; playtestsFile: string }> {
  const levelsFile = path.join(dir, 'import-levels.jsonl');
  const playtestsFile = path.join(dir, 'import-playtests.jsonl');
  const levelOut = createWriteStream(levelsFile);
  const playOut = createWriteStream(playtestsFile);
  for (let first = 0; first < levels; first += SLICE) {
    const c = generateCorpus({ seed: 13, firstPast: first, pastLevels: Math.min(SLICE, levels - first), playtestsPerPast: perLevel, newLevels: 0 });
    for (const l of c.levels) if (!levelOut.write(JSON.stringify(l) + '\n')) await once(levelOut, 'drain');
    for (const p of c.playtests) if (!playOut.write(JSON.stringify(p) + '\n')) await once(playOut, 'drain');
  }
  for (const out of [levelOut, playOut]) {
    out.end();
    await once(out, 'finish');
  }
  return { levelsFile, playtestsFile };
}

/** One CLI command as a child process under GNU time: its wall time and peak RSS (KiB from %M). */
async function cli(name: string, args: string[], rssFile: string): Promise<Step & { stdout: string }> {
  const main = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const t0 = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, process.execPath, main, ...args], { maxBuffer: 64 * MiB }, (err, out, errText) => {
      if (err) reject(new Error(`${name} failed: ${err.message}\n${errText.slice(-4000)}`));
      else resolve(out);
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const [kib, user, sys] = (await readFile(rssFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  const peakRssBytes = kib! * 1024;
  const cpuSeconds = user! + sys!;
  log(`  ${name}: ${seconds.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s), peak RSS ${(peakRssBytes / MiB).toFixed(0)} MiB`);
  return { name, seconds, cpuSeconds, peakRssBytes, stdout };
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const levels = opts.quick ? 1000 : 10_000;
  const perLevel = 100;
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-bench-scale-'));
  const project = path.join(dir, 'project');
  const rssFile = path.join(dir, 'time.txt');
  const startLoad = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  try {
    log(`  generating ${levels} levels × ${perLevel} playtests…`);
    const t0 = performance.now();
    const files = await writeCorpus(dir, levels, perLevel);
    const generated = (performance.now() - t0) / 1000;
    await cli('init', ['init', project], rssFile);
    await writeFile(path.join(project, 'project.json'), JSON.stringify(projectFile, null, 2) + '\n');
    const steps: Step[] = [];
    steps.push(await cli('import levels', ['import', '--project', project, files.levelsFile, '--json'], rssFile));
    steps.push(await cli('import playtests', ['import', '--project', project, files.playtestsFile, '--json'], rssFile));
    steps.push(await cli('validate', ['validate', '--project', project], rssFile));
    const train = await cli('train', ['train', '--project', project, '--json'], rssFile);
    steps.push(train);
    const balanced = Array.from({ length: BALANCED_LEVELS }, (_, k) => ['--level', `L${String(1 + Math.floor((k * levels) / BALANCED_LEVELS)).padStart(3, '0')}`]).flat();
    const balance = await cli(`balance ${BALANCED_LEVELS} levels`, ['balance', '--project', project, '--json', ...balanced], rssFile);
    steps.push(balance);
    const trained = JSON.parse(train.stdout) as { steps?: number; validation?: Record<string, number> };
    const results = balance.stdout.trim().split('\n').map((l) => JSON.parse(l) as { meetsTargets: boolean });
    const trainOk = train.seconds <= TRAIN_GOAL.seconds && train.peakRssBytes <= TRAIN_GOAL.bytes;
    const load = `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the end, ${startLoad} at the start`;
    return [
      `## Scale (${levels.toLocaleString('en')} levels × ${perLevel} playtests = ${(levels * perLevel).toLocaleString('en')} playtests, crypt-run)`,
      '',
      `Each step is one \`metabalance\` CLI child process; peak RSS is its maximum resident set and CPU time its user + system time (GNU time \`%M %U %S\`). Corpus generation (not a product step): ${generated.toFixed(0)} s. Machine ${load}.`,
      '',
      markdownTable(
        ['step', 'wall time (s)', 'CPU time (s)', 'peak RSS (MiB)'],
        steps.map((s) => [s.name, s.seconds.toFixed(1), s.cpuSeconds.toFixed(1), (s.peakRssBytes / MiB).toFixed(0)]),
      ),
      '',
      `Training: ${trained.steps ?? '?'} steps, validation NLL ${trained.validation?.nll?.toFixed(3) ?? '?'}; goal ≤ ${TRAIN_GOAL.seconds / 60} min and ≤ 1 GB: ${trainOk ? 'met' : 'NOT met'}. ` +
        `Balance: ${results.filter((r) => r.meetsTargets).length} of ${results.length} levels predicted to meet every target.`,
    ].join('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, run);
