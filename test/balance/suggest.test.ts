import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suggestPlaytests } from '../../src/balance/index.js';
import { targetLoss, targetTerms } from '../../src/balance/targets.js';
import { project, separable, separablePredictor, space } from './fixtures.js';

const metrics = project.metrics.map((m) => m.name);
const terms = targetTerms(project, metrics);
const lossAt = (params: Parameters<typeof separable>[0]): number => {
  const y = separable(params);
  return targetLoss(terms, metrics.map((m) => y[m]!));
};

test('suggestions are legal, seeded, keep non-moving params and say what the batch is worth', () => {
  const s = suggestPlaytests(project, space, separablePredictor(0.5), { count: 4, seed: 1 });
  assert.equal(s.length, 4);
  for (const [i, sug] of s.entries()) {
    assert.equal(sug.params.roomCount, 6, 'generation group not allowed to move');
    assert.equal(sug.params.bossEnabled, true);
    assert.ok(Number.isInteger(sug.params.potions));
    assert.ok(['melee', 'ranged', 'mixed'].includes(sug.params.archetype as string));
    assert.ok(sug.pMeet >= 0 && sug.pMeet <= 1);
    assert.match(sug.reason, /expected pMeet goes from 0\.\d\d to 0\.\d\d/, `suggestion ${i}: ${sug.reason}`);
    assert.deepEqual(Object.keys(sug.predicted).sort(), [...metrics].sort());
    // rooms is stuck at 6 (best loss 18): every suggestion is a setting the recommendation could come from
    assert.ok(lossAt(sug.params) <= 18 + 5, `suggestion ${i} loss ${lossAt(sug.params)}`);
  }
  assert.deepEqual(suggestPlaytests(project, space, separablePredictor(0.5), { count: 4, seed: 1 }), s, 'seeded');
});

test('allowGeneration lets suggestions move generation params; a bad count is an error', () => {
  const s = suggestPlaytests(project, space, separablePredictor(0.5), { count: 3, seed: 3, allowGeneration: true });
  assert.equal(s[0]!.params.roomCount, 9);
  assert.throws(() => suggestPlaytests(project, space, separablePredictor(), { count: 0 }), /positive integer/);
});
