// A large corpus trained for too few passes over its levels is under-trained: training says so and
// names the steps that would give every level enough passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pastCorpus } from '../../samples/crypt-run/corpus.js';
import { initBackend, trainModel } from '../../src/model/index.js';
import { smallCorpus } from './fixtures.js';

await initBackend();

const underTrained = (warnings: unknown): string[] => ((warnings ?? []) as string[]).filter((w) => w.includes('under-trained'));

test('training that ends still improving after few passes over each level warns and names the steps for about 30 passes', async () => {
  const corpus = pastCorpus(smallCorpus(5, 120, 10));
  // 60 steps × 16 levels over ~108 training levels: about 9 passes, still improving when it ends
  const few = await trainModel(corpus, { seed: 1, steps: 60 });
  // the same steps with 64 levels per step: about 36 passes
  const enough = await trainModel(corpus, { seed: 1, steps: 60, config: { batchLevels: 64 } });
  try {
    const levels = few.info.trainLevels as number;
    const warned = underTrained(few.info.warnings);
    assert.equal(warned.length, 1, `warnings: ${JSON.stringify(few.info.warnings)}`);
    assert.match(warned[0]!, new RegExp(`each of the ${levels} training levels to the network about ${Math.round((60 * 16) / levels)} times`));
    assert.match(warned[0]!, new RegExp(`--steps ${Math.ceil((30 * levels) / 16 / 100) * 100} `));
    assert.deepEqual(underTrained(enough.info.warnings), [], `warnings: ${JSON.stringify(enough.info.warnings)}`);
  } finally {
    few.dispose();
    enough.dispose();
  }
});
