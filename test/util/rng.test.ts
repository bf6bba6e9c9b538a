import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/util/rng.js';

const draw = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());

describe('Rng', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    assert.deepEqual(draw(new Rng(7), 20), draw(new Rng(7), 20));
    assert.notDeepEqual(draw(new Rng(7), 20), draw(new Rng(8), 20));
    assert.notDeepEqual(draw(new Rng(0), 5), draw(new Rng(2 ** 32), 5));
  });
  it('draws uniforms in [0, 1) with the right mean and normals with mean 0, variance 1', () => {
    const r = new Rng(1);
    const u = draw(r, 50_000);
    assert.ok(u.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(u.reduce((a, b) => a + b) / u.length - 0.5) < 0.01);
    const z = Array.from({ length: 50_000 }, () => r.normal());
    const mean = z.reduce((a, b) => a + b) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  });
  it('int covers [lo, hi) evenly; pick and shuffle use it', () => {
    const r = new Rng(2);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.int(2, 6) - 2]!++;
    assert.ok(counts.every((c) => Math.abs(c - 10_000) < 400), String(counts));
    assert.throws(() => r.int(3, 3), RangeError);
    assert.equal(new Rng(3).pick(['a']), 'a');
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = new Rng(4).shuffle([...xs]);
    assert.notDeepEqual(shuffled, xs);
    assert.deepEqual([...shuffled].sort(), xs);
  });
  it('fork gives independent labelled streams without advancing the parent', () => {
    const a = new Rng(5);
    const before = draw(new Rng(5), 3);
    const f1 = draw(a.fork('levels'), 10);
    assert.deepEqual(draw(a, 3), before);
    assert.deepEqual(draw(new Rng(5).fork('levels'), 10), f1);
    assert.notDeepEqual(draw(new Rng(5).fork('testers'), 10), f1);
    assert.notDeepEqual(draw(new Rng(5).fork(1), 10), draw(new Rng(5).fork(2), 10));
  });
});
