import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODEL_ERROR_SCALE, meetsTargets, metricPredictions, pMeetFromDraws, targetLoss, targetTerms } from '../../src/balance/targets.js';
import { project } from './fixtures.js';

const metrics = ['rooms', 'health', 'spawn', 'loot']; // a model's order need not be the targets' order
const terms = targetTerms(project, metrics);

test('loss is Σ weight·((pred − target)/tolerance)² over the targets, read by metric name', () => {
  // health +2 tolerances (w 1), spawn −1 (w 1), loot on target, rooms +1 (w 0.5)
  const row = [9.5, 79.3, 1.65, 13];
  assert.ok(Math.abs(targetLoss(terms, row) - (4 + 1 + 0 + 0.5)) < 1e-9);
  assert.throws(() => targetTerms(project, ['health']), /metric "spawn"/);
});

test('a target is met within target ± tolerance, bounds included', () => {
  assert.equal(meetsTargets(terms, [9.5, 78.3, 1.75, 12.5]), true);
  assert.equal(meetsTargets(terms, [9.5, 78.31, 1.75, 12.5]), false);
  assert.equal(meetsTargets(terms, [0, 0, 0, 0, 9, 77.3, 1.7, 13], 4), true, 'offset selects the row');
});

test('pMeet without spread is the share of draws meeting every target, kept off 0 and 1', () => {
  const good = [9, 77.3, 1.7, 13];
  const bad = [9, 90, 1.7, 13];
  assert.equal(pMeetFromDraws(terms, [...good, ...good, ...good, ...good], 4, 4), 4.5 / 5);
  assert.equal(pMeetFromDraws(terms, [...bad, ...bad], 2, 4), 0.5 / 3);
  assert.equal(pMeetFromDraws(terms, [...bad, ...bad, ...good, ...good], 2, 4, 8), 2.5 / 3, 'offset selects the candidate');
});

test('pMeet blurs every draw by a model error 0.8 times as wide as the draws spread', () => {
  assert.equal(MODEL_ERROR_SCALE, 0.8);
  // health draws 77.3 ± 2 (sd 2, tolerance 1), the rest on target: each draw misses by 2 and is
  // blurred by N(0, 1.6²), so P(met) = Φ(−1/1.6) − Φ(−3/1.6) = 0.2659855 − 0.0303964.
  const p = pMeetFromDraws(terms, [9, 75.3, 1.7, 13, 9, 79.3, 1.7, 13], 2, 4);
  assert.ok(Math.abs(p - (2 * (0.2659855 - 0.0303964) + 0.5) / 3) < 1e-6, `pMeet ${p}`);
  // the scale is a parameter: at √2, P(met) = Φ(−1/(2√2)) − Φ(−3/(2√2)) = 0.3618368 − 0.1444222
  const wide = pMeetFromDraws(terms, [9, 75.3, 1.7, 13, 9, 79.3, 1.7, 13], 2, 4, 0, Math.SQRT2);
  assert.ok(Math.abs(wide - (2 * (0.3618368 - 0.1444222) + 0.5) / 3) < 1e-6, `pMeet ${wide}`);
  // The same draws as a count would say 0.5/3: never met. A draw just outside the tolerance with a
  // tiny spread stays nearly impossible.
  const tight = pMeetFromDraws(terms, [9, 78.4, 1.7, 13, 9, 78.41, 1.7, 13], 2, 4);
  assert.ok(tight < 0.17 && tight > 0.5 / 3 - 1e-9, `pMeet ${tight}`);
});

test('predicted mean is the mode, std the spread of the draws', () => {
  const p = metricPredictions(['a', 'b'], [1, 2], 0, [0, 10, 2, 20], 2, 0);
  assert.deepEqual(p, { a: { mean: 1, std: 1 }, b: { mean: 2, std: 5 } });
});
