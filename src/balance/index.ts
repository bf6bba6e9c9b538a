// The balancer's public API: balance a level, suggest its next playtests, assess given settings.
// Every function takes an adapted LevelPredictor, so it works the same for the meta-model, the
// benchmark's baselines and the oracle (a predictor over the simulator's true metrics).
import type { LevelPredictor } from '../model/index.js';
import type { ParamSpace } from '../model/param-space.js';
import type { ParamValues, Project } from '../project/types.js';
import { assess } from './assess.js';
import { movesOf, snap } from './moves.js';
import { targetTerms, type MetricPrediction } from './targets.js';
import { searchParams, type SearchBudget, type SearchObjective } from './search.js';
import { suggestFrom, type Suggestion } from './suggest.js';

export type { MetricPrediction } from './targets.js';
export type { Suggestion } from './suggest.js';
export type { SearchBudget, SearchObjective } from './search.js';
export { DEFAULT_OBJECTIVE, DEFAULT_PROXIMITY } from './search.js';
export { levelBase } from './level-base.js';
export { targetLoss, meetsTargets, targetTerms } from './targets.js';

export interface BalanceOptions {
  allowGeneration?: boolean;
  /** params kept at their base value (besides those locked in project.json) */
  locked?: readonly string[];
  /** params pinned at these values */
  fixed?: Partial<ParamValues>;
  /** the values non-moving params keep (default: the param defaults), e.g. levelBase(project, playtests) */
  base?: Partial<ParamValues>;
  seed?: number;
  budget?: SearchBudget;
  /** weight of staying near `base` (default DEFAULT_PROXIMITY; 0 = only the objective counts) */
  proximity?: number;
  objective?: SearchObjective;
}

export interface BalanceResult {
  levelId: string;
  params: ParamValues;
  predicted: Record<string, MetricPrediction>;
  meetsTargets: boolean;
  pMeet: number;
  playtestCount: number;
}

export function balanceLevel(project: Project, space: ParamSpace, predictor: LevelPredictor, opts: BalanceOptions = {}): BalanceResult {
  const terms = targetTerms(project, predictor.metrics);
  const moves = movesOf(project, space, opts);
  const { best } = searchParams(moves, predictor, terms, opts.seed ?? 0, opts.budget, opts.proximity, opts.objective);
  // Never recommend a change the model itself thinks less likely to meet the targets than the
  // level's current settings (the search's tie-breaks can prefer it when pMeet is flat).
  const current = snap(moves, moves.baseX);
  const x = new Float32Array(2 * moves.space.dim);
  x.set(best.x, 0);
  x.set(current.x, moves.space.dim);
  const [moved, kept] = assess(predictor, terms, x, 2);
  const keep = kept!.pMeet > moved!.pMeet;
  const a = keep ? kept! : moved!;
  return {
    levelId: predictor.levelId,
    params: keep ? current.values : best.values,
    predicted: a.predicted,
    meetsTargets: a.meetsTargets,
    pMeet: a.pMeet,
    playtestCount: predictor.playtestCount,
  };
}

export interface SuggestOptions {
  count?: number;
  seed?: number;
  allowGeneration?: boolean;
  locked?: readonly string[];
  base?: Partial<ParamValues>;
  /** as in BalanceOptions */
  proximity?: number;
  objective?: SearchObjective;
}

export function suggestPlaytests(project: Project, space: ParamSpace, predictor: LevelPredictor, opts: SuggestOptions = {}): Suggestion[] {
  const count = opts.count ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer (got ${count})`);
  const terms = targetTerms(project, predictor.metrics);
  const moves = movesOf(project, space, opts);
  return suggestFrom(moves, predictor, terms, count, opts.seed ?? 0, opts.proximity, opts.objective);
}

/** The model's view of given settings (missing params take their defaults). */
export function predictAt(
  project: Project,
  space: ParamSpace,
  predictor: LevelPredictor,
  params: Partial<ParamValues>,
): { params: ParamValues; predicted: Record<string, MetricPrediction>; meetsTargets: boolean; pMeet: number } {
  const complete: ParamValues = {};
  for (const p of project.params) complete[p.name] = params[p.name] ?? p.default;
  const [a] = assess(predictor, targetTerms(project, predictor.metrics), space.encode(complete), 1);
  return { params: complete, predicted: a!.predicted, meetsTargets: a!.meetsTargets, pMeet: a!.pMeet };
}
