// The balancing problem the sample poses must be worth solving: the defaults miss the targets on most
// levels, a per-level search over the balance params (with the true metrics) meets them on most, and
// no single setting does the job for most levels — for every variant of the mechanics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCorpus } from '../../samples/crypt-run/corpus.js';
import { expectedMetrics, variants } from '../../samples/crypt-run/game.js';
import { defaultParams, difficulty, worstMiss } from '../../samples/crypt-run/oracle.js';

for (const variant of variants) {
  test(`${variant.name}: defaults miss, a per-level search hits, one setting does not fit all`, () => {
    const corpus = generateCorpus({ seed: 0, pastLevels: 0, newLevels: 20, playtestsPerNew: 0, variant });
    const levels = corpus.newLevelIds.map((id) => corpus.truth.get(id)!);
    const d = difficulty(levels, variant);
    assert.ok(d.atDefaults <= 5, `defaults meet the targets on ${d.atDefaults}/20 levels`);
    assert.ok(d.oracle >= 15, `the oracle meets the targets on ${d.oracle}/20 levels`);
    d.solutions.forEach((s, i) => {
      // balance params only: the generation params stay at their defaults
      for (const name of ['roomCount', 'trapDensity', 'archetype', 'bossEnabled']) assert.equal(s.params[name], defaultParams()[name]);
      assert.equal(s.meets, worstMiss(expectedMetrics(levels[i]!, s.params, variant)) <= 1);
    });
    assert.ok(d.bestShared <= 12, `one level's solution meets the targets on up to ${d.bestShared}/20 levels`);
  });
}
