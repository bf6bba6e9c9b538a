// Scoring settings at the sample game's TRUE expected metrics, and what every balance benchmark
// does to a level: balance it with a predictor (disposed after), or draw random settings to play.
import { balanceLevel, type BalanceResult } from '../../src/balance/index.js';
import { movesOf, snap } from '../../src/balance/moves.js';
import { lift } from '../../src/balance/search.js';
import { meetsTargets, targetLoss, targetTerms, type TargetTerm } from '../../src/balance/targets.js';
import type { LevelPredictor, MetaModel } from '../../src/model/index.js';
import type { Level, ParamValues, Playtest, Project } from '../../src/project/types.js';
import type { Rng } from '../../src/util/rng.js';
import { agentBalance, levelPosterior, type AgentBalance } from '../../samples/crypt-run/bayes-agent.js';
import { expectedMetrics, type GameVariant, type SampleLevel } from '../../samples/crypt-run/game.js';
import { mean } from '../report.js';

export interface Outcome {
  hit: boolean;
  loss: number;
}

/** Share of outcomes that met every target. */
export const hitRate = (os: readonly Outcome[]): number => mean(os.map((o) => (o.hit ? 1 : 0)));
export const meanLoss = (os: readonly Outcome[]): number => mean(os.map((o) => o.loss));

export class Judge {
  readonly terms: TargetTerm[];
  readonly metrics: string[];
  constructor(
    readonly project: Project,
    readonly variant: GameVariant,
  ) {
    this.metrics = project.metrics.map((m) => m.name);
    this.terms = targetTerms(project, this.metrics);
  }
  /** The simulator's expected metrics at params, in project.metrics order. */
  truth(level: SampleLevel, params: ParamValues): number[] {
    const truth = expectedMetrics(level, params, this.variant);
    return this.metrics.map((m) => truth[m]!);
  }
  /** Scores settings at the simulator's true expected metrics. */
  score(level: SampleLevel, params: ParamValues): Outcome {
    const row = this.truth(level, params);
    return { hit: meetsTargets(this.terms, row), loss: targetLoss(this.terms, row) };
  }
}

/** The Bayes agent's setting for a level from its playtests, and its exact pMeet there: the exact posterior, then the search for its highest pMeet. */
export function agentChoice(project: Project, record: Level, playtests: readonly Playtest[], variant: GameVariant, base: ParamValues, seed: number): AgentBalance {
  return agentBalance(project, levelPosterior(record, playtests, variant, { seed }), variant, { base, seed });
}

export function balanceWith(model: MetaModel, predictor: LevelPredictor, base: ParamValues, seed: number): BalanceResult {
  try {
    return balanceLevel(model.project, model.space, predictor, { base, seed });
  } finally {
    predictor.dispose();
  }
}

/** Random settings of the balance params (generation params at the level's values, or random too with `allowGeneration`). */
export function randomSettings(model: Pick<MetaModel, 'project' | 'space'>, base: ParamValues, count: number, rng: Rng, allowGeneration = false): ParamValues[] {
  const moves = movesOf(model.project, model.space, { base, allowGeneration });
  return Array.from({ length: count }, () => {
    const u = moves.movingDimIndex.map(() => rng.next());
    return snap(moves, lift(moves, moves.movingDimIndex, u)).values;
  });
}
