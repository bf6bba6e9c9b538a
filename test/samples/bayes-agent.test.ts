import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelPosterior } from '../../samples/crypt-run/bayes-agent.js';
import { generateCorpus } from '../../samples/crypt-run/corpus.js';
import { variants } from '../../samples/crypt-run/game.js';

// The yardstick is only worth measuring against if its posterior is right: with many playtests of a
// level it must concentrate on that level's true hidden factors, with honest error bars.
test('the Bayes agent recovers a level\'s hidden factors from 200 playtests, within its own error bars', () => {
  const variant = variants[1]!;
  const corpus = generateCorpus({ seed: 5, variant, pastLevels: 0, newLevels: 3, playtestsPerNew: 200 });
  const zs: number[] = [];
  for (const id of corpus.newLevelIds) {
    const record = corpus.levels.find((l) => l.id === id)!;
    const truth = corpus.truth.get(id)!;
    const playtests = corpus.playtests.filter((p) => p.levelId === id);
    const few = levelPosterior(record, playtests.slice(0, 6), variant);
    const many = levelPosterior(record, playtests, variant);
    assert.ok(many.ess >= 200, `${id}: effective sample size ${many.ess.toFixed(0)} below the floor`);
    for (const name of Object.keys(truth.hidden)) {
      const z = (Math.log(truth.hidden[name]!) - many.logHiddenMean[name]!) / many.logHiddenSd[name]!;
      zs.push(z);
      assert.ok(Math.abs(z) < 3.5, `${id}.${name}: truth ${z.toFixed(2)} posterior sd from the posterior mean`);
      assert.ok(many.logHiddenSd[name]! < few.logHiddenSd[name]!, `${id}.${name}: 200 playtests should pin it down better than 6`);
    }
  }
  const rms = Math.sqrt(zs.reduce((a, z) => a + z * z, 0) / zs.length);
  assert.ok(rms > 0.3 && rms < 1.8, `z-scores' rms ${rms.toFixed(2)}: the error bars should be about the size of the errors`);
});

// Found balancing seed 21's scavenger levels: from 6 playtests, BFGS stopped where the posterior is
// not locally concave, and the Laplace Hessian was indefinite beyond any ridge, so the yardstick threw.
test('a level whose posterior mode leaves the Hessian indefinite still gets its exact posterior', () => {
  const variant = variants[3]!;
  const corpus = generateCorpus({ seed: 21, variant, pastLevels: 120, playtestsPerPast: 20, newLevels: 40, playtestsPerNew: 6 });
  const record = corpus.levels.find((l) => l.id === 'N033')!;
  const post = levelPosterior(record, corpus.playtests.filter((p) => p.levelId === 'N033'), variant, { seed: 21 });
  assert.ok(post.ess >= 200, `effective sample size ${post.ess.toFixed(0)} below the floor`);
  assert.ok(Math.abs(post.weights.reduce((a, w) => a + w, 0) - 1) < 1e-9);
  for (const [name, m] of Object.entries(post.logHiddenMean)) {
    assert.ok(Number.isFinite(m) && post.logHiddenSd[name]! > 0, `${name}: ${m} ± ${post.logHiddenSd[name]}`);
  }
});
