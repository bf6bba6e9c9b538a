import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBatch, type LookaheadInput } from '../../src/balance/lookahead.js';

// Four equally likely hypotheses about a level, one metric. Candidates 0 and 1 are the two
// recommendations the balancer could make: 0 meets the targets under hypotheses 0–1, candidate 1
// under 2–3, and neither's own outcome tells the hypotheses apart. Candidate 2 meets nothing, but
// its outcome separates {0, 1} from {2, 3}.
function level(probeNoise: number, extra = [0, 0, 0]): LookaheadInput {
  return {
    n: 3,
    samples: 4,
    metrics: 1,
    draws: [0, 0, 0, 0, 0, 0, 0, 0, -10, -10, 10, 10],
    noise: [1, 1, probeNoise],
    hits: [1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    extra,
  };
}

test('a playtest goes where its outcome changes the next recommendation, not where it is best', () => {
  const plan = planBatch(level(1), [0, 1, 2], 1, 7);
  assert.deepEqual(plan.picks, [2]);
  assert.ok(Math.abs(plan.before - 0.5) < 1e-9, `before ${plan.before}`);
  // knowing the group, the recommendation meets the targets under both of its hypotheses: (4 + 0.5) / 5
  assert.ok(plan.after > 0.85, `after ${plan.after}`);
});

test('a noisy probe is replicated when one outcome cannot tell the hypotheses apart', () => {
  const one = planBatch(level(400), [0, 1, 2], 1, 7);
  const three = planBatch(level(400), [0, 1, 2], 3, 7);
  assert.deepEqual(three.picks, [2, 2, 2]);
  assert.ok(three.after > one.after + 0.05, `3 playtests ${three.after} vs 1 ${one.after}`);
});

test('information the recommendation cannot use is worth nothing', () => {
  // staying near the current settings rules candidate 1 out whatever is learnt
  const plan = planBatch(level(1, [0, 50, 0]), [0, 1, 2], 2, 7);
  assert.ok(Math.abs(plan.after - plan.before) < 0.02, `before ${plan.before}, after ${plan.after}`);
});
