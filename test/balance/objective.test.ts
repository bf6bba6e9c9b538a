import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meetsTargets, metricPredictions, pMeetFromDraws, targetLoss, targetTerms } from '../../src/balance/objective.js';
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

test('pMeet is the share of draws meeting every target, kept off 0 and 1', () => {
  const good = [9, 77.3, 1.7, 13];
  const bad = [9, 90, 1.7, 13];
  const draws = [...good, ...good, ...good, ...bad]; // S = 4: 3 of 4 meet
  assert.equal(pMeetFromDraws(terms, draws, 4, 4), 3.5 / 5);
  assert.equal(pMeetFromDraws(terms, [...bad, ...bad], 2, 4), 0.5 / 3);
  assert.equal(pMeetFromDraws(terms, [...good, ...bad, ...good, ...good], 2, 4, 8), 2.5 / 3);
});

test('predicted mean is the mode, std the spread of the draws', () => {
  const p = metricPredictions(['a', 'b'], [1, 2], 0, [0, 10, 2, 20], 2, 0);
  assert.deepEqual(p, { a: { mean: 1, std: 1 }, b: { mean: 2, std: 5 } });
});
