import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurveRecorder, MAX_SAVED_POINTS } from '../../src/util/training-curve.js';

describe('CurveRecorder', () => {
  it('keeps a long run whole but thinned: first and last steps, in order, at most MAX_SAVED_POINTS', () => {
    const curve = new CurveRecorder();
    for (let step = 1; step <= 1000; step++) curve.add({ step, total: 1000, loss: 5 - step / 1000, valLoss: step % 50 === 0 ? 4 : null });
    const saved = curve.saved();
    assert.equal(saved.plannedSteps, 1000);
    assert.ok(saved.points.length <= MAX_SAVED_POINTS && saved.points.length >= MAX_SAVED_POINTS / 2, `${saved.points.length} points`);
    assert.equal(saved.points.at(-1)!.step, 1000);
    assert.ok(saved.points[0]!.step <= 8, `first kept step ${saved.points[0]!.step}`);
    const steps = saved.points.map((p) => p.step);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
    const gaps = steps.slice(1, -1).map((s, i) => s - steps[i]!); // the last point is the run's end, wherever it falls
    assert.ok(Math.max(...gaps) <= 2 * Math.min(...gaps), `uneven thinning: gaps ${Math.min(...gaps)}..${Math.max(...gaps)}`);
  });

  it('an early stop keeps its planned steps; non-finite losses are saved as null (JSON has no NaN)', () => {
    const curve = new CurveRecorder();
    curve.add({ step: 1, total: 1000, loss: Number.NaN, valLoss: null });
    curve.add({ step: 2, total: 1000, loss: 3, valLoss: Number.POSITIVE_INFINITY });
    assert.deepEqual(curve.saved(), { plannedSteps: 1000, points: [{ step: 1, loss: null, valLoss: null }, { step: 2, loss: 3, valLoss: null }] });
  });
});
