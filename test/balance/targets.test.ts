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

/** P(|miss + e| ≤ tolerance) for e ~ N(0, sd²), by midpoint integration (independent of the module's normal CDF). */
function within(miss: number, tolerance: number, sd: number): number {
  const n = 20000;
  const h = (2 * tolerance) / n;
  let p = 0;
  for (let k = 0; k < n; k++) {
    const e = -tolerance - miss + (k + 0.5) * h;
    p += (Math.exp(-0.5 * (e / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI))) * h;
  }
  return p;
}

test('pMeet blurs every draw by a model error MODEL_ERROR_SCALE (or the given scale) times the draws spread', () => {
  // health draws 77.3 ± 2 (sd 2, tolerance 1), the rest on target with no spread (a hard check):
  // each draw misses by 2, blurred by N(0, (2·scale)²).
  const draws = [9, 75.3, 1.7, 13, 9, 79.3, 1.7, 13];
  const expected = (scale: number): number => (2 * within(2, 1, 2 * scale) + 0.5) / 3;
  const p = pMeetFromDraws(terms, draws, 2, 4);
  assert.ok(Math.abs(p - expected(MODEL_ERROR_SCALE)) < 1e-6, `pMeet ${p} vs ${expected(MODEL_ERROR_SCALE)}`);
  for (const scale of [0.5, Math.SQRT2]) {
    const q = pMeetFromDraws(terms, draws, 2, 4, 0, scale);
    assert.ok(Math.abs(q - expected(scale)) < 1e-6, `scale ${scale}: pMeet ${q} vs ${expected(scale)}`);
  }
  // The same draws as a count would say 0.5/3: never met. A draw just outside the tolerance with a
  // tiny spread stays nearly impossible.
  const tight = pMeetFromDraws(terms, [9, 78.4, 1.7, 13, 9, 78.41, 1.7, 13], 2, 4);
  assert.ok(tight < 0.17 && tight > 0.5 / 3 - 1e-9, `pMeet ${tight}`);
});

test('predicted mean is the mode, std the spread of the draws', () => {
  const p = metricPredictions(['a', 'b'], [1, 2], 0, [0, 10, 2, 20], 2, 0);
  assert.deepEqual(p, { a: { mean: 1, std: 1 }, b: { mean: 2, std: 5 } });
});
