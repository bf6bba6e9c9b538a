// On the sample game: a model trained on past levels, adapted to levels it never saw from 5 of
// their playtests, predicts the simulator's TRUE expected metrics clearly better than the same
// model without adaptation; and the posterior tightens as playtests accumulate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus, pastCorpus } from '../../samples/crypt-run/corpus.js';
import { expectedMetrics } from '../../samples/crypt-run/game.js';
import { adaptLevel, initBackend, trainModel, type AdaptMethod, type MetaModel } from '../../src/model/index.js';
import type { ParamValues } from '../../src/project/types.js';

await initBackend();
const c = generateCorpus({ seed: 21, pastLevels: 50, playtestsPerPast: 16, newLevels: 10, playtestsPerNew: 25 });
const corpus = pastCorpus(c);
const tolerance = new Map(c.project.targets.map((t) => [t.metric, t.tolerance]));
const defaults = Object.fromEntries(c.project.params.map((p) => [p.name, p.default])) as ParamValues;

/** RMSE of the predicted expected metrics against the truth, in units of the targets' tolerances. */
function trueError(model: MetaModel, method: AdaptMethod, k: number): number {
  let sq = 0;
  let n = 0;
  for (const id of c.newLevelIds) {
    const level = c.levels.find((l) => l.id === id)!;
    const pts = c.playtests.filter((p) => p.levelId === id);
    const pred = adaptLevel(model, level, pts.slice(0, k), { method });
    const settings = pts.slice(k).map((p) => ({ ...defaults, ...p.params }));
    const x = new Float32Array(settings.length * model.space.dim);
    settings.forEach((s, i) => x.set(model.space.encode(s), i * model.space.dim));
    const { mode } = pred.predict(x, settings.length);
    pred.dispose();
    settings.forEach((s, i) => {
      const truth = expectedMetrics(c.truth.get(id)!, s);
      pred.metrics.forEach((m, j) => {
        const t = tolerance.get(m);
        if (t === undefined) return;
        sq += ((mode[i * pred.metrics.length + j]! - truth[m]!) / t) ** 2;
        n++;
      });
    });
  }
  return Math.sqrt(sq / n);
}

test('adapting from 5 playtests beats not adapting on held-out levels (true expected metrics)', async () => {
  const model = await trainModel(corpus, { seed: 0, steps: 300 });
  const adapted = trueError(model, 'context', 5);
  const pooled = trueError(model, 'none', 5);
  assert.ok(adapted < 0.85 * pooled, `adapted RMSE ${adapted.toFixed(3)} vs not adapted ${pooled.toFixed(3)} (tolerance units)`);

  // the posterior over the level's context tightens with evidence: the draws' spread shrinks
  const level = c.levels.find((l) => l.id === c.newLevelIds[0])!;
  const pts = c.playtests.filter((p) => p.levelId === level.id);
  const x = model.space.encode(defaults);
  const spread = (k: number): number => {
    const p = adaptLevel(model, level, pts.slice(0, k));
    const { draws } = p.predict(x, 1, { draws: true });
    const M = p.metrics.length;
    const won = p.metrics.indexOf('won');
    const vals = Array.from({ length: p.samples }, (_, s) => draws![s * M + won]!);
    p.dispose();
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    return Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
  };
  assert.ok(spread(20) < spread(0), `spread of p(won) with 20 playtests ${spread(20)} vs none ${spread(0)}`);
  model.dispose();
});
