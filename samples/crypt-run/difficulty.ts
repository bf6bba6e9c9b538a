// Prints how hard the sample game's balancing problem is, per variant: how many levels meet the targets
// at the defaults, with the oracle's per-level setting, and with the best single setting for all.
// The READMEs quote its output:
//   node dist/samples/crypt-run/difficulty.js [--seeds 0,1,2] [--levels 20]
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './corpus.js';
import { variants } from './game.js';
import { difficulty } from './oracle.js';

function main(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { seeds: { type: 'string', default: '0,1,2' }, levels: { type: 'string', default: '20' } } });
  const seeds = values.seeds.split(',').map(Number);
  const count = Number(values.levels);
  console.log(`new levels per corpus: ${count}; seeds ${seeds.join(' / ')}\n`);
  console.log('| variant | defaults meet all targets | oracle meets them | one level\'s best setting fits at most |');
  console.log('| --- | --- | --- | --- |');
  for (const variant of variants) {
    const rows = seeds.map((seed) => {
      const corpus = generateCorpus({ seed, pastLevels: 0, newLevels: count, playtestsPerNew: 0, variant });
      return difficulty(corpus.newLevelIds.map((id) => corpus.truth.get(id)!), variant);
    });
    const cell = (pick: (d: (typeof rows)[number]) => number): string => `${rows.map(pick).join(' / ')} of ${count}`;
    console.log(`| ${variant.name} | ${cell((d) => d.atDefaults)} | ${cell((d) => d.oracle)} | ${cell((d) => d.bestShared)} |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
