// What the typing network sees of one playtest: the setting (unit cube), the level's features, the
// level's context as the meta-model infers it from all of that level's playtests (each member's
// posterior mean), the outcome metrics in the heads' standardised link space, the meta-model's
// expectation for the whole tester population at that setting on that level (same space), and the
// difference of the two. Raw metrics mix up who played with how hard the level and its setting were;
// the expectation and the residual take the level and setting out, which is what lets a run say
// something about its player.
import type { Level, Playtest } from '../project/types.js';
import { posteriorPredictor } from './adapt.js';
import { levelRows } from './data.js';
import { linkValue } from './encoding.js';
import type { MetaModel } from './model.js';
import { contextPosteriors, residualMetrics } from './posterior.js';

export interface TypingRows {
  /** row width */
  width: number;
  /** [rows, width] */
  x: Float32Array;
  /** each row's tester and playtest */
  tester: string[];
  playtest: Playtest[];
}

/** Width of a typing input row for a model. */
export function typingWidth(model: MetaModel): number {
  const M = model.spec.metrics.length;
  const D = model.shape.context + residualMetrics(model).length;
  return model.space.dim + model.shape.features + model.ensemble * D + 3 * M;
}

/** The columns of a typing row that hold the run's own metrics (the rest describe its level, setting and expectation). */
export function outcomeColumns(model: MetaModel): number[] {
  const M = model.spec.metrics.length;
  const from = typingWidth(model) - 3 * M;
  return Array.from({ length: M }, (_, j) => from + j);
}

/** A metric's value in the heads' space (a rate as is, else its standardised link), project order. */
function headSpace(model: MetaModel, j: number, v: number): number {
  const m = model.spec.metrics[j]!;
  if (m.link === 'bernoulli') return v;
  if (m.link === 'log' && !(v > 0)) return 0;
  return (linkValue(m.link, v) - m.center) / m.scale;
}

/**
 * A row per playtest of a tester `wanted` says yes to, on a level of `levels`. Each such level's
 * context comes from all of its playtests (wanted or not), so a run is read against what the
 * level showed everyone.
 */
export function typingRows(model: MetaModel, levels: readonly Level[], playtests: Iterable<Playtest>, wanted: (tester: string) => boolean): TypingRows {
  const byLevel = new Map<string, Playtest[]>();
  const hasWanted = new Set<string>();
  for (const pt of playtests) {
    const list = byLevel.get(pt.levelId);
    if (list) list.push(pt);
    else byLevel.set(pt.levelId, [pt]);
    if (pt.tester !== undefined && wanted(pt.tester)) hasWanted.add(pt.levelId);
  }
  const width = typingWidth(model);
  const M = model.spec.metrics.length;
  const base = model.space.dim;
  const out: number[][] = [];
  const tester: string[] = [];
  const playtest: Playtest[] = [];
  for (const level of levels) {
    if (!hasWanted.has(level.id)) continue;
    const all = byLevel.get(level.id)!;
    const mine = all.filter((pt) => pt.tester !== undefined && wanted(pt.tester));
    const rows = levelRows(model, level, all);
    const posteriors = contextPosteriors(model, rows);
    const context = posteriors.flatMap((g) => [...g.mean]);
    const x = new Float32Array(mine.length * base);
    mine.forEach((pt, i) => x.set(model.space.encode(pt.params ?? {}), i * base));
    const predictor = posteriorPredictor(model, rows, posteriors);
    const expected = predictor.predict(x, mine.length).mode;
    predictor.dispose();
    mine.forEach((pt, i) => {
      const row = [...x.subarray(i * base, (i + 1) * base), ...rows.feat, ...context];
      const pred = model.spec.metrics.map((_, j) => headSpace(model, j, expected[i * M + j]!));
      // an unreported metric reads as the expectation: no evidence either way
      const seen = model.spec.metrics.map((m, j) => {
        const v = pt.metrics[m.name];
        return typeof v === 'number' && Number.isFinite(v) ? headSpace(model, j, v) : pred[j]!;
      });
      out.push([...row, ...seen, ...pred, ...seen.map((v, j) => v - pred[j]!)]);
      tester.push(pt.tester!);
      playtest.push(pt);
    });
  }
  const x = new Float32Array(out.length * width);
  out.forEach((r, i) => {
    if (r.length !== width) throw new Error('internal: typing row width');
    x.set(r, i * width);
  });
  return { width, x, tester, playtest };
}
