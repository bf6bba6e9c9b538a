import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Level, Project } from '../../src/project/types.js';
import { encodeMetrics } from '../../src/model/data.js';
import { encodeFeatures, fitEncoding, implausibleValues, plausibleRange } from '../../src/model/encoding.js';
import { outputColumns } from '../../src/model/outputs.js';
import { paramSpace } from '../../src/model/param-space.js';
import type { Playtest } from '../../src/project/types.js';
import { Rng } from '../../src/util/rng.js';

const project: Project = {
  name: 't',
  params: [
    { name: 'hp', type: 'float', min: 20, max: 200, default: 80, scale: 'log', group: 'balance', locked: false },
    { name: 'rooms', type: 'int', min: 3, max: 12, default: 6, scale: 'linear', group: 'generation', locked: false },
    { name: 'boss', type: 'bool', default: true, group: 'generation', locked: false },
    { name: 'arch', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'balance', locked: true },
  ],
  features: [{ name: 'area' }, { name: 'chokepoints' }],
  metrics: [
    { name: 'durationSec', kind: 'continuous' },
    { name: 'won', kind: 'rate' },
    { name: 'deaths', kind: 'count' },
    { name: 'score', kind: 'continuous' },
  ],
  segments: [],
  targets: [],
};

test('params round-trip through the unit cube (log scale, ints, bools, one-hot choices)', () => {
  const space = paramSpace(project);
  assert.equal(space.dim, 6);
  assert.deepEqual(space.names, ['hp', 'rooms', 'boss', 'arch=melee', 'arch=ranged', 'arch=mixed']);
  for (const v of [
    { hp: 20, rooms: 3, boss: false, arch: 'melee' },
    { hp: 63.5, rooms: 7, boss: true, arch: 'ranged' },
    { hp: 200, rooms: 12, boss: true, arch: 'mixed' },
  ]) {
    const x = space.encode(v);
    for (const u of x) assert.ok(u >= 0 && u <= 1);
    const back = space.decode(x);
    assert.ok(Math.abs((back['hp'] as number) - v.hp) < 1e-3 * v.hp);
    assert.deepEqual({ ...back, hp: v.hp }, v);
  }
  // log scale: the geometric midpoint sits at 0.5
  assert.ok(Math.abs(space.encode({ hp: Math.sqrt(20 * 200) })[0]! - 0.5) < 1e-6);
  // decode clamps, snaps ints and takes the argmax choice
  assert.deepEqual(space.decode([1.7, 0.52, 0.49, 0.1, 0.8, 0.3]), { hp: 200, rooms: 8, boss: false, arch: 'ranged' });
});

test('features are standardised with corpus statistics; a missing one is imputed and flagged', () => {
  const levels: Level[] = [
    { id: 'a', features: { area: 100, chokepoints: 1 } },
    { id: 'b', features: { area: 300, chokepoints: 3 } },
    { id: 'c', features: { area: 200 } },
  ];
  const spec = fitEncoding(project, levels, [{ levelId: 'a', metrics: { durationSec: 10, won: 1, deaths: 0, score: -1 } }]);
  assert.deepEqual([...encodeFeatures(spec, levels[0]!)].map((v) => +v.toFixed(4)), [-1.2247, -1, 0, 0]);
  assert.deepEqual([...encodeFeatures(spec, levels[2]!)].map((v) => +v.toFixed(4)), [0, 0, 0, 1]);
});

test('metrics: rate → probability, count → log1p, positive continuous → log, signed → identity; outcome-conditioned heads', () => {
  const pts = [
    { levelId: 'a', metrics: { durationSec: 100, won: 1, deaths: 0, score: -2 } },
    { levelId: 'a', metrics: { durationSec: 400, won: 0, deaths: 3, score: 2 } },
  ];
  const spec = fitEncoding(project, [{ id: 'a', features: {} }], pts);
  assert.deepEqual(
    spec.metrics.map((m) => [m.link, m.conditionedOn]),
    [['log', 1], ['bernoulli', -1], ['log1p', 1], ['identity', 1]],
  );
  const layout = outputColumns(spec);
  assert.deepEqual(layout.order, [1, 0, 2, 3]);
  assert.equal(layout.width, 1 + 4 * 3);
  const y = new Float32Array(4);
  const obs = new Float32Array(4);
  encodeMetrics(spec, layout, { durationSec: 400, won: 0 }, y, obs);
  assert.deepEqual([...obs], [1, 1, 0, 0]);
  const d = spec.metrics[0]!;
  assert.ok(Math.abs(y[1]! - (Math.log(400) - d.center) / d.scale) < 1e-6);
  assert.ok(Math.abs(d.center - Math.log(200)) < 1e-9);
});

/** The standardisation as a plain computation over JS arrays: median ± 10 MADs, then mean and sd of what lies inside. */
function referenceCoding(zs: number[]): { lo: number; hi: number; center: number; scale: number } {
  const median = (xs: number[]): number => (xs.length % 2 ? xs[xs.length >> 1]! : 0.5 * (xs[(xs.length >> 1) - 1]! + xs[xs.length >> 1]!));
  const sorted = [...zs].sort((a, b) => a - b);
  const med = median(sorted);
  const mad = median(sorted.map((z) => Math.abs(z - med)).sort((a, b) => a - b)) * 1.4826;
  const [lo, hi] = [med - 10 * mad, med + 10 * mad];
  const kept = zs.filter((z) => z >= lo && z <= hi);
  const center = kept.reduce((a, b) => a + b, 0) / kept.length;
  const sd = Math.sqrt(kept.reduce((a, b) => a + (b - center) * (b - center), 0) / kept.length);
  return { lo, hi, center, scale: sd };
}

test('metric codings (computed over typed arrays) equal the plain computation, gross errors left out of the standardisation', () => {
  const rng = new Rng(7);
  const pts: Playtest[] = Array.from({ length: 301 }, (_, i) => ({
    id: `p${i}`,
    levelId: 'a',
    // every seventh playtest reports no score: a metric's values are only the playtests that have it
    metrics: {
      durationSec: Math.round(300 * Math.exp(0.4 * rng.normal()) * 10) / 10,
      won: i % 3 === 0 ? 1 : 0,
      deaths: rng.int(0, 6),
      ...(i % 7 === 0 ? {} : { score: Math.round(50 * rng.normal()) }),
    },
  }));
  pts[40]!.metrics['durationSec'] = 612000; // a duration typed in milliseconds
  pts[41]!.metrics['durationSec'] = 1e300;
  const spec = fitEncoding(project, [{ id: 'a', features: {} }], pts);
  const column = (name: string): number[] => pts.flatMap((p) => (typeof p.metrics[name] === 'number' ? [p.metrics[name]!] : []));
  const linked = { durationSec: column('durationSec').map(Math.log), deaths: column('deaths').map(Math.log1p), score: column('score') };
  const expected = { durationSec: referenceCoding(linked.durationSec), deaths: referenceCoding(linked.deaths), score: referenceCoding(linked.score) };
  for (const [name, ref] of Object.entries(expected)) {
    assert.deepEqual(plausibleRange(Float64Array.from(linked[name as keyof typeof linked])), { lo: ref.lo, hi: ref.hi }, `${name} range`);
    const m = spec.metrics.find((c) => c.name === name)!;
    assert.equal(m.center, ref.center, `${name} center`);
    assert.equal(m.scale, ref.scale, `${name} scale`);
  }
  // the two gross errors did not set the duration's scale: it is the spread of the 299 others
  assert.ok(expected.durationSec.scale < 0.5);
  assert.deepEqual(implausibleValues(project, pts), ['p40: durationSec 612000', 'p41: durationSec 1e+300']);
});
