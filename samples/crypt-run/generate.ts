// Writes the sample project folder (project.json, levels.jsonl, playtests.jsonl) and truth.json, the
// simulator's hidden view of every level for benchmarks and the demo (not part of the project format;
// metabalance never reads it).
//   node dist/samples/crypt-run/generate.js [--out DIR] [--seed N] [--variant NAME] [--testers bots|typed]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/project/paths.js';
import { generateCorpus, type CorpusOptions, type SampleCorpus } from './corpus.js';
import { projectFile, variants } from './game.js';
import { TRUTH_FILE, truthJson } from './truth.js';

export const SAMPLE_CORPUS: Omit<CorpusOptions, 'variant'> = { seed: 0, pastLevels: 200, playtestsPerPast: 30, newLevels: 20, playtestsPerNew: 5 };

export function sampleProjectDir(): string {
  return path.join(packageRoot(), 'samples', 'crypt-run', 'project');
}

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

export async function writeSampleProject(dir: string, opts: CorpusOptions): Promise<SampleCorpus> {
  const corpus = generateCorpus(opts);
  await mkdir(dir, { recursive: true });
  const file = corpus.project.segments.length > 0 ? { ...projectFile, segments: corpus.project.segments } : projectFile;
  await writeFile(path.join(dir, 'project.json'), JSON.stringify(file, null, 2) + '\n');
  await writeFile(path.join(dir, 'levels.jsonl'), jsonl(corpus.levels));
  await writeFile(path.join(dir, 'playtests.jsonl'), jsonl(corpus.playtests));
  const truth = truthJson(corpus, opts.seed, opts.variant ?? variants[0]!);
  await writeFile(path.join(dir, TRUTH_FILE), JSON.stringify(truth, null, 1) + '\n');
  return corpus;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, seed: { type: 'string' }, variant: { type: 'string' }, testers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`usage: generate [--out DIR] [--seed N] [--variant ${variants.map((v) => v.name).join('|')}] [--testers bots|typed]\n`);
    return 0;
  }
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got "${values.seed}")`);
  const variant = variants.find((v) => v.name === (values.variant ?? variants[0]!.name));
  if (!variant) throw new Error(`--variant must be one of ${variants.map((v) => v.name).join(', ')} (got "${values.variant}")`);
  const testers = values.testers ?? 'bots';
  if (testers !== 'bots' && testers !== 'typed') throw new Error(`--testers must be bots or typed (got "${testers}")`);
  const dir = path.resolve(values.out ?? sampleProjectDir());
  const corpus = await writeSampleProject(dir, { ...SAMPLE_CORPUS, seed, variant, testers });
  process.stderr.write(`wrote ${dir}: ${corpus.levels.length} levels, ${corpus.playtests.length} playtests (seed ${seed}, variant ${variant.name})\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
