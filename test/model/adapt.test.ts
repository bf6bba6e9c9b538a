// On the sample game: a model trained on past levels, adapted to levels it never saw from 5 of
// their playtests, predicts the simulator's TRUE expected metrics clearly better than the same
// model without adaptation; and the posterior tightens as playtests accumulate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus, pastCorpus } from '../../samples/crypt-run/corpus.js';
import { botPlaytests, expectedMetrics, variants } from '../../samples/crypt-run/game.js';
import { Rng } from '../../src/util/rng.js';
import { adaptLevel, initBackend, trainModel, type MetaModel } from '../../src/model/index.js';
import { adapters, type Adaptation } from '../support/adapters.js';
import type { ParamValues } from '../../src/project/types.js';

await initBackend();
const c = generateCorpus({ seed: 21, pastLevels: 50, playtestsPerPast: 16, newLevels: 10, playtestsPerNew: 25 });
const corpus = pastCorpus(c);
const tolerance = new Map(c.project.targets.map((t) => [t.metric, t.tolerance]));
const defaults = Object.fromEntries(c.project.params.map((p) => [p.name, p.default])) as ParamValues;

/** RMSE of the predicted expected metrics against the truth, in units of the targets' tolerances. */
function trueError(model: MetaModel, method: Adaptation, k: number): number {
  let sq = 0;
  let n = 0;
  for (const id of c.newLevelIds) {
    const level = c.levels.find((l) => l.id === id)!;
    const pts = c.playtests.filter((p) => p.levelId === id);
    const pred = adapters[method](model, level, pts.slice(0, k));
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

const model = await trainModel(corpus, { seed: 0, steps: 300 });

test('adapting from 5 playtests beats not adapting on held-out levels (true expected metrics)', () => {
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
});

// The shared network cannot be right about every level, least of all on a game variant it was not
// trained on; the per-level residual must let a level's own evidence win where there is plenty of
// it, and the spread must keep shrinking with it instead of freezing at what the corpus taught.
test('at a setting played 50 times, on a variant the model never saw, the predicted targets lie within 1.5 SE of what the level showed', () => {
  const targets = c.project.targets.map((t) => t.metric);
  const zs: number[] = [];
  const spreads = { few: 0, many: 0 };
  for (const id of c.newLevelIds.slice(0, 6)) {
    const level = c.levels.find((l) => l.id === id)!;
    const plays = botPlaytests(c.truth.get(id)!, id, Array.from({ length: 50 }, () => defaults), new Rng(7).fork(id), variants[1]);
    const at = (k: number): { mode: Float32Array; spread: number[] } => {
      const p = adaptLevel(model, level, plays.slice(0, k));
      const { mode, draws } = p.predict(model.space.encode(defaults), 1, { draws: true });
      p.dispose();
      const spread = p.metrics.map((_, j) => {
        const v = Array.from({ length: p.samples }, (_, s) => draws![s * p.metrics.length + j]!);
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      });
      return { mode, spread };
    };
    const few = at(10);
    const many = at(50);
    for (const metric of targets) {
      const j = c.project.metrics.findIndex((m) => m.name === metric);
      const v = plays.map((q) => q.metrics[metric]!);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length);
      const z = (many.mode[j]! - mean) / se;
      zs.push(z);
      assert.ok(Math.abs(z) < 2.5, `${id}.${metric}: predicted ${many.mode[j]!.toFixed(3)}, 50 playtests showed ${mean.toFixed(3)} ± ${se.toFixed(3)}`);
      spreads.few += few.spread[j]! / se;
      spreads.many += many.spread[j]! / se;
    }
  }
  const rms = Math.sqrt(zs.reduce((a, z) => a + z * z, 0) / zs.length);
  assert.ok(rms < 1.5, `prediction − observed mean: rms ${rms.toFixed(2)} standard errors over ${zs.length} (level, target) pairs`);
  assert.ok(spreads.many < 0.8 * spreads.few, `the draws' spread summed over levels and targets: ${spreads.few.toFixed(2)} SE after 10 playtests, ${spreads.many.toFixed(2)} after 50`);
});

test.after(() => model.dispose());
