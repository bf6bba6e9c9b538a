import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionPredictor } from '../support/function-predictor.js';
import { suggestPlaytests } from '../../src/balance/index.js';
import { targetLoss, targetTerms } from '../../src/balance/targets.js';
import { project, separable, separablePredictor, space } from './fixtures.js';

const metrics = project.metrics.map((m) => m.name);
const terms = targetTerms(project, metrics);
const lossAt = (params: Parameters<typeof separable>[0]): number => {
  const y = separable(params);
  return targetLoss(terms, metrics.map((m) => y[m]!));
};

test('suggestions are legal, distinct, spread out, near-optimal and keep non-moving params', () => {
  const s = suggestPlaytests(project, space, separablePredictor(0.5), { count: 4, seed: 1 });
  assert.equal(s.length, 4);
  const xs = s.map((x) => space.encode(x.params));
  for (const [i, sug] of s.entries()) {
    assert.equal(sug.params.roomCount, 6, 'generation group not allowed to move');
    assert.equal(sug.params.bossEnabled, true);
    assert.ok(Number.isInteger(sug.params.potions));
    assert.ok(['melee', 'ranged', 'mixed'].includes(sug.params.archetype as string));
    assert.ok(sug.pMeet >= 0 && sug.pMeet <= 1);
    assert.ok(sug.reason.length > 10);
    assert.deepEqual(Object.keys(sug.predicted).sort(), [...metrics].sort());
    // Near-optimal: rooms is stuck at 6 (best loss 18); within one squared tolerance or 25 % of it.
    assert.ok(lossAt(sug.params) <= 1.25 * 18 + 1 + 0.1, `suggestion ${i} loss ${lossAt(sug.params)}`);
    for (let j = 0; j < i; j++) {
      const d = Math.hypot(...Array.from(xs[i]!, (v, k) => v - xs[j]![k]!));
      assert.ok(d > 0.01, `suggestions ${i} and ${j} are ${d} apart`);
    }
  }
  assert.ok(lossAt(s[0]!.params) < 18.1, 'the first suggestion is the best predicted setting');
  assert.deepEqual(suggestPlaytests(project, space, separablePredictor(0.5), { count: 4, seed: 1 }), s, 'seeded');
});

test('suggestions go where the model is unsure', () => {
  // Uncertain only for spawnRate above the target: the near-optimal region's uncertain half.
  const predictor = functionPredictor(space, {
    levelId: 'L1',
    metrics,
    fn: separable,
    spread: (v) => ({ health: 0.1, spawn: (v.spawnRate as number) > 1.7 ? 0.2 : 0.001, loot: 0.1, rooms: 0.1 }),
  });
  const s = suggestPlaytests(project, space, predictor, { count: 5, seed: 2 });
  const uncertain = s.slice(1).filter((x) => (x.params.spawnRate as number) > 1.7).length;
  assert.ok(uncertain >= 3, `${uncertain} of 4 exploratory suggestions in the uncertain region`);
});

test('allowGeneration lets suggestions move generation params; a bad count is an error', () => {
  const s = suggestPlaytests(project, space, separablePredictor(0.5), { count: 3, seed: 3, allowGeneration: true });
  assert.equal(s[0]!.params.roomCount, 9);
  assert.throws(() => suggestPlaytests(project, space, separablePredictor(), { count: 0 }), /positive integer/);
});
