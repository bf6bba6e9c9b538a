// `metabalance loop`'s runner for the sample game: plays one setting of one level with the
// simulator's bots (runner protocol in src/cli/runner.ts). It reads the level's hidden factors from
// DIR/truth.json, which only the simulator may read. Seeded by (level, round, index): the same
// request gives the same run.
//   node dist/samples/crypt-run/runner.js DIR [SEED]
import { readTruth } from './truth.js';
import { simulatePlaytest } from './game.js';
import { Rng } from '../../src/util/rng.js';
import type { ParamValues } from '../../src/project/types.js';

async function main(): Promise<void> {
  const [dir, seed = '0'] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: runner.js PROJECT_DIR [SEED] (a request as one JSON line on stdin)');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { levelId: string; params: ParamValues; round?: number; index?: number };
  const truth = await readTruth(dir);
  const level = truth.levels.get(request.levelId);
  if (!level) throw new Error(`level "${request.levelId}" is not in ${dir}/truth.json`);
  const rng = new Rng(Number(seed)).fork(`run:${request.levelId}:${request.round ?? 0}:${request.index ?? 0}`);
  process.stdout.write(`${JSON.stringify(simulatePlaytest(level, request.params, rng, truth.variant))}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
