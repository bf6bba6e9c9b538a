// The balancing problem the sample poses must be worth solving: the defaults miss the targets on most
// levels, a per-level search over the balance params (with the true metrics) meets them on most, and
// no single setting does the job for most levels — for every variant of the mechanics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCorpus } from '../../samples/crypt-run/corpus.js';
import { expectedMetrics, variants } from '../../samples/crypt-run/game.js';
import { defaultParams, meetsTargets, oracleBalance, worstMiss } from '../../samples/crypt-run/oracle.js';

for (const variant of variants) {
  test(`${variant.name}: defaults miss, a per-level search hits, one setting does not fit all`, () => {
    const corpus = generateCorpus({ seed: 0, pastLevels: 0, newLevels: 20, playtestsPerNew: 0, variant });
    const levels = corpus.newLevelIds.map((id) => corpus.truth.get(id)!);
    const atDefaults = levels.filter((l) => meetsTargets(expectedMetrics(l, defaultParams(), variant))).length;
    assert.ok(atDefaults <= 5, `defaults meet the targets on ${atDefaults}/20 levels`);

    const solutions = levels.map((l) => oracleBalance(l, variant));
    const reached = solutions.filter((s) => s.meets).length;
    assert.ok(reached >= 15, `the oracle meets the targets on ${reached}/20 levels`);
    for (const s of solutions) {
      // balance params only: the generation params stay at their defaults
      for (const name of ['roomCount', 'trapDensity', 'archetype', 'bossEnabled']) assert.equal(s.params[name], defaultParams()[name]);
      assert.equal(s.meets, worstMiss(expectedMetrics(levels[solutions.indexOf(s)]!, s.params, variant)) <= 1);
    }

    const bestShared = Math.max(...solutions.filter((s) => s.meets).map((s) => levels.filter((l) => meetsTargets(expectedMetrics(l, s.params, variant))).length));
    assert.ok(bestShared <= 12, `one level's solution meets the targets on up to ${bestShared}/20 levels`);
  });
}
