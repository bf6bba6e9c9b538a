// First-order MAML learns: on a small corpus of the sample game, levels it never trained on are
// predicted better (adapted from 5 of their playtests, scored on the rest) than by the untrained model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus, pastCorpus } from '../../samples/crypt-run/corpus.js';
import { initBackend, trainModel } from '../../src/model/index.js';
import { levelRows } from '../../src/model/data.js';
import { validationNll } from '../../src/model/validation.js';

await initBackend();

test('fomaml training improves the held-out NLL over the untrained model', async () => {
  const c = generateCorpus({ seed: 4, pastLevels: 30, playtestsPerPast: 12, newLevels: 6, playtestsPerNew: 15 });
  const corpus = pastCorpus(c);
  const unseen = c.newLevelIds.map((id) => c.levels.find((l) => l.id === id)!);
  const heldOut = async (steps: number): Promise<number> => {
    const model = await trainModel(corpus, { algorithm: 'fomaml', seed: 3, steps });
    try {
      assert.equal(model.info.algorithm, 'fomaml');
      return validationNll(model, unseen.map((l) => levelRows(model, l, c.playtests.filter((p) => p.levelId === l.id))));
    } finally {
      model.dispose();
    }
  };
  const untrained = await heldOut(0);
  const trained = await heldOut(40);
  assert.ok(Number.isFinite(untrained) && Number.isFinite(trained));
  assert.ok(trained < untrained - 0.1, `held-out NLL per playtest: trained ${trained.toFixed(3)}, untrained ${untrained.toFixed(3)}`);
});
