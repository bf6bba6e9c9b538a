// The next settings worth playtesting on a level. A playtest teaches the model most where it is
// unsure AND where the answer matters: among near-optimal settings (by the search objective at the most
// likely context), prefer the ones whose predictions spread most, and keep the picks apart so a
// handful of playtests covers the near-optimal region rather than one point of it.
import type { LevelPredictor } from '../model/index.js';
import type { ParamValues } from '../project/types.js';
import { assess, type Assessment } from './assess.js';
import type { Moves } from './moves.js';
import type { MetricPrediction, TargetTerm } from './targets.js';
import { distinctBest, searchParams, type Candidate, type SearchObjective } from './search.js';

export interface Suggestion {
  params: ParamValues;
  predicted: Record<string, MetricPrediction>;
  pMeet: number;
  reason: string;
}

const POOL = 64;

export function suggestFrom(
  layout: Moves,
  predictor: LevelPredictor,
  terms: readonly TargetTerm[],
  count: number,
  seed: number,
  proximity?: number,
  objective?: SearchObjective,
): Suggestion[] {
  const { pool } = searchParams(layout, predictor, terms, seed, undefined, proximity, objective);
  const candidates = distinctBest(pool, POOL);
  const x = new Float32Array(candidates.length * layout.space.dim);
  candidates.forEach((c, i) => x.set(c.x, i * layout.space.dim));
  const assessed = assess(predictor, terms, x, candidates.length);

  const bestLoss = candidates[0]!.loss;
  // Within one squared tolerance (or 25 %) of the best achievable loss; at least 3× count to choose from.
  let near = candidates.map((_, i) => i).filter((i) => candidates[i]!.loss <= 1.25 * bestLoss + 1);
  if (near.length < 3 * count) near = candidates.map((_, i) => i).slice(0, 3 * count);

  const scale = 0.2 * Math.sqrt(Math.max(1, layout.movingDimIndex.length));
  const chosen: number[] = [0];
  while (chosen.length < Math.min(count, near.length)) {
    let bestI = -1;
    let bestScore = -Infinity;
    for (const i of near) {
      if (chosen.includes(i)) continue;
      const dist = Math.min(...chosen.map((j) => distance(layout, candidates[i]!, candidates[j]!)));
      const score = (assessed[i]!.doubt + 1e-6) * Math.min(1, dist / scale);
      if (score > bestScore) {
        bestScore = score;
        bestI = i;
      }
    }
    chosen.push(bestI);
  }
  return chosen.map((i, k) => toSuggestion(candidates[i]!, assessed[i]!, k === 0));
}

function toSuggestion(c: Candidate, a: Assessment, isBest: boolean): Suggestion {
  const spread = Math.sqrt(a.doubt).toFixed(2);
  const reason = isBest
    ? `best predicted setting (target loss ${c.targetLoss.toFixed(2)}): a playtest here confirms or corrects the balance`
    : `near-optimal (target loss ${c.targetLoss.toFixed(2)}) where the model is unsure (spread ${spread} tolerances)`;
  return { params: c.values, predicted: a.predicted, pMeet: a.pMeet, reason };
}

function distance(layout: Moves, a: Candidate, b: Candidate): number {
  let s = 0;
  for (const d of layout.movingDimIndex) s += (a.x[d]! - b.x[d]!) ** 2;
  return Math.sqrt(s);
}
