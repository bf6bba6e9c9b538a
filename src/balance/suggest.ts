// The next settings worth playtesting on a level: the batch that most raises the expected pMeet of
// the recommendation the balancer will make once their outcomes are in (lookahead.ts). Candidates
// are the search's best settings — where the recommendation will come from — and the settings
// some of the model's hypotheses say could meet every target though the most likely one does not:
// far moves are explored where the model is unsure they fail, not forbidden.
import type { LevelPredictor } from '../model/index.js';
import type { ParamValues } from '../project/types.js';
import { assessPrediction, type Assessment } from './assess.js';
import type { Moves } from './moves.js';
import { planBatch, type BatchPlan } from './lookahead.js';
import { drawHits, type MetricPrediction, type TargetTerm } from './targets.js';
import { distinctBest, searchParams, type Candidate } from './search.js';

export interface Suggestion {
  params: ParamValues;
  predicted: Record<string, MetricPrediction>;
  pMeet: number;
  reason: string;
}

/** The search's best distinct settings: where the next recommendation will come from. */
const BEST = 48;
/** Settings outside those whose best hypotheses meet the targets: what exploring can find. */
const HOPEFUL = 16;
const PMEET_FLOOR = 1e-3;

export function suggestFrom(
  moves: Moves,
  predictor: LevelPredictor,
  terms: readonly TargetTerm[],
  count: number,
  seed: number,
  stayNear?: number,
): Suggestion[] {
  const { pool } = searchParams(moves, predictor, terms, seed, undefined, stayNear);
  const candidates = [...distinctBest(pool, BEST)];
  const dim = moves.space.dim;
  const encode = (cs: readonly Candidate[]): Float32Array => {
    const x = new Float32Array(cs.length * dim);
    cs.forEach((c, i) => x.set(c.x, i * dim));
    return x;
  };
  const rest = distinctBest(pool, pool.length).filter((c) => !candidates.includes(c));
  candidates.push(...hopeful(predictor, terms, rest, encode(rest)));

  const n = candidates.length;
  const M = predictor.metrics.length;
  const S = predictor.samples;
  const x = encode(candidates);
  const prediction = predictor.predict(x, n, { draws: true, noise: true });
  const assessed = assessPrediction(predictor, terms, prediction, n);
  const { mode, draws, noise } = prediction;
  const d = draws ?? mode;
  const hits = new Float64Array(n * S);
  for (let c = 0; c < n; c++) hits.set(drawHits(terms, d, S, M, c * S * M), c * S);
  const plan = planBatch(
    {
      n,
      samples: S,
      metrics: M,
      draws: d,
      noise: noise ?? new Float32Array(n * M),
      hits,
      // the search's loss beyond −log pMeet: its tie-break and the stay-near term
      extra: Float64Array.from(candidates, (c, i) => c.loss + Math.log(assessed[i]!.pMeet + PMEET_FLOOR)),
    },
    candidates.map((_, i) => i),
    count,
    seed,
  );
  return describe(plan, candidates, assessed);
}

/** Among settings outside the best, those with the highest chance under their most favourable hypotheses. */
function hopeful(predictor: LevelPredictor, terms: readonly TargetTerm[], rest: readonly Candidate[], x: Float32Array): Candidate[] {
  if (rest.length === 0 || predictor.samples < 2) return [];
  const { draws } = predictor.predict(x, rest.length, { draws: true });
  const S = predictor.samples;
  const M = predictor.metrics.length;
  const top = Math.max(1, Math.round(S / 4));
  const upper = rest.map((_, i) => {
    const h = Array.from(drawHits(terms, draws!, S, M, i * S * M)).sort((a, b) => b - a);
    return h.slice(0, top).reduce((a, b) => a + b, 0) / top;
  });
  return rest
    .map((c, i) => ({ c, u: upper[i]! }))
    .sort((a, b) => b.u - a.u)
    .slice(0, HOPEFUL)
    .map((e) => e.c);
}

/** One suggestion per planned playtest, grouped by setting in the order the plan chose them. */
function describe(plan: BatchPlan, candidates: readonly Candidate[], assessed: readonly Assessment[]): Suggestion[] {
  const order = [...new Set(plan.picks)];
  const gain = `the next recommendation's expected pMeet goes from ${plan.before.toFixed(2)} to ${plan.after.toFixed(2)}`;
  return order.flatMap((c) => {
    const times = plan.picks.filter((p) => p === c).length;
    const what =
      c === 0
        ? 'the best predicted setting: its outcome confirms or corrects the recommendation'
        : `a setting ${assessed[c]!.pMeet < assessed[0]!.pMeet / 2 ? 'the model is unsure could meet the targets' : 'near the best'}, where the outcome tells the model's hypotheses apart`;
    const reason = `${what}${times > 1 ? ` (${times} playtests here)` : ''}; with this batch ${gain}`;
    return Array.from({ length: times }, () => ({ params: candidates[c]!.values, predicted: assessed[c]!.predicted, pMeet: assessed[c]!.pMeet, reason }));
  });
}
