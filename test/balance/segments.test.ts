// Design targets per kind of player, on the sample game, whose bots come in three skills: the
// model's prediction for a segment tracks that segment's TRUE expected metrics better than the
// population's does, and a segment's target steers the search to settings where that segment's
// true metrics come closer to it than balancing the population for the same number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus, pastCorpus } from '../../samples/crypt-run/corpus.js';
import { expectedMetrics } from '../../samples/crypt-run/game.js';
import { balanceLevel, levelBase } from '../../src/balance/index.js';
import { BalancingService } from '../../src/balance/service.js';
import { withSegments } from '../../src/balance/segments.js';
import { adaptLevel, initBackend, trainModel } from '../../src/model/index.js';
import type { Project, Target } from '../../src/project/types.js';

await initBackend();
const c = generateCorpus({ seed: 23, pastLevels: 50, playtestsPerPast: 16, newLevels: 6, playtestsPerNew: 10 });
const segments = [
  { name: 'novice', testers: ['bot:novice'] },
  { name: 'expert', testers: ['bot:expert'] },
];
const withTargets = (targets: Target[]): Project => ({ ...c.project, segments, targets });
const project = withTargets([
  { metric: 'won', segment: 'novice', target: 0.7, tolerance: 0.05, weight: 1 },
  { metric: 'won', segment: 'expert', target: 0.9, tolerance: 0.05, weight: 1 },
]);
const model = await trainModel({ ...pastCorpus(c), project }, { seed: 0, steps: 300 });
const levels = c.newLevelIds.map((id) => ({ level: c.levels.find((l) => l.id === id)!, playtests: c.playtests.filter((p) => p.levelId === id), truth: c.truth.get(id)! }));
const only = (segment: string): string[] => segments.find((g) => g.name === segment)!.testers;

test('a segment prediction tracks that segment’s true metrics better than the population prediction does', () => {
  const err = { segment: 0, population: 0 };
  for (const { level, playtests, truth } of levels) {
    const predictor = withSegments(model, project, adaptLevel(model, level, playtests));
    const base = levelBase(project, playtests);
    const { mode } = predictor.predict(model.space.encode(base), 1);
    const col = (name: string): number => mode[predictor.metrics.indexOf(name)]!;
    for (const g of ['novice', 'expert']) {
      const trueWon = expectedMetrics(truth, base, undefined, undefined, only(g))['won']!;
      err.segment += Math.abs(col(`won@${g}`) - trueWon);
      err.population += Math.abs(col('won') - trueWon);
    }
    assert.ok(col('won@novice') < col('won') && col('won') < col('won@expert'), `novices win less than the population, experts more: ${col('won@novice')}, ${col('won')}, ${col('won@expert')}`);
    predictor.dispose();
  }
  assert.ok(err.segment < 0.5 * err.population, `mean |error| of the segment win rates: ${err.segment / 12} per segment prediction vs ${err.population / 12} for the population's`);
});

test('a segment target steers the search to that segment: its true metrics come closer than balancing the population for the same number', () => {
  const novices = withTargets([{ metric: 'won', segment: 'novice', target: 0.7, tolerance: 0.05, weight: 1 }]);
  const everyone = withTargets([{ metric: 'won', target: 0.7, tolerance: 0.05, weight: 1 }]);
  const miss = { segment: 0, population: 0 };
  for (const { level, playtests, truth } of levels) {
    for (const [key, p] of [['segment', novices], ['population', everyone]] as const) {
      const predictor = withSegments(model, p, adaptLevel(model, level, playtests));
      const r = balanceLevel(p, model.space, predictor, { base: levelBase(p, playtests), seed: 1 });
      predictor.dispose();
      if (key === 'segment') assert.ok('won@novice' in r.predicted, 'the answer predicts the segment');
      miss[key] += Math.abs(expectedMetrics(truth, r.params, undefined, undefined, only('novice'))['won']! - 0.7);
    }
  }
  assert.ok(miss.segment < miss.population, `mean |true novice win rate − 0.7|: ${miss.segment / levels.length} balancing for novices vs ${miss.population / levels.length} balancing the population`);
});

test('a segment whose testers the model does not know is refused with the reason', () => {
  const unknown = { ...project, segments: [{ name: 'casual', testers: ['human:alex'] }], targets: [{ metric: 'won', segment: 'casual', target: 0.8, tolerance: 0.05, weight: 1 }] };
  const { level, playtests } = levels[0]!;
  const inner = adaptLevel(model, level, playtests);
  assert.throws(() => withSegments(model, unknown, inner), /segment "casual": the model has no input for its testers \(human:alex\): none of them played in its training corpus, or the segment was declared after the model was trained; record their playtests and train again/);
  inner.dispose();
  // the service answers a balance for the model's own project, segments included
  const service = new BalancingService(model);
  const r = service.balance({ level, playtests });
  assert.deepEqual(Object.keys(r.predicted).filter((k) => k.startsWith('won')), ['won', 'won@novice', 'won@expert']);
  service.dispose();
});

test.after(() => model.dispose());
