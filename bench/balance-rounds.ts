// The loop a designer runs, measured: from a new level's first K playtests, R rounds of B more
// playtests, then a rebalance from everything. Each arm chooses its own next playtests and plays
// them on the same level with the same playtest-noise stream per round, so arms are paired:
//  - metabalance: the B settings `suggest` gives;
//  - metabalance, random: B random settings of the balance params (what suggest must beat);
//  - metabalance, replicates: B playtests at its own recommendation (the simplest closed loop);
//  - Bayes agent: B replicates of its own recommendation (it knows the mechanics, so a playtest is
//    worth most where it would ship);
//  - pooled + offsets: B replicates of its recommendation, offsets refit on everything each round;
//  - GP Bayesian optimisation from scratch: B replicates of the setting its own posterior most
//    expects to meet the targets (no past levels).
import { levelBase } from '../src/balance/index.js';
import type { BalancingService } from '../src/balance/service.js';
import type { Level, ParamValues, Playtest } from '../src/project/types.js';
import { Rng } from '../src/util/rng.js';
import { botPlaytests, type SampleLevel } from '../samples/crypt-run/game.js';
import { agentChoice, balanceWith, randomSettings, type Judge, type Outcome } from './support/judge.js';
import { gpScratch } from './support/gp-scratch.js';

export const ROUND_ARMS = [
  'metabalance (suggested)',
  'metabalance (random)',
  'metabalance (replicates of its recommendation)',
  'Bayes agent (own choice)',
  'pooled + offsets (own choice)',
  'GP Bayesian optimisation from scratch (own choice)',
] as const;
export type RoundArm = (typeof ROUND_ARMS)[number];

export interface RoundsSetup {
  rounds: number;
  batch: number;
}

export interface RoundsContext {
  /** metabalance, and the pooled network with per-level offsets */
  meta: BalancingService;
  offsets: BalancingService;
  judge: Judge;
  seed: number;
}

/** Per arm, the outcome before the first round (index 0) and after each round. */
export function roundsFor(
  ctx: RoundsContext,
  setup: RoundsSetup,
  level: Level,
  truth: SampleLevel,
  first: readonly Playtest[],
): Record<RoundArm, Outcome[]> {
  const { meta, offsets, judge, seed } = ctx;
  const base = levelBase(meta.model.project, first);
  const play = (settings: ParamValues[], round: number): Playtest[] =>
    botPlaytests(truth, level.id, settings, new Rng(seed).fork(`round-${level.id}-${round}`), judge.variant);
  const replicate = (params: ParamValues): ParamValues[] => Array.from({ length: setup.batch }, () => params);

  /** One arm: balance, score, choose the next batch from what the arm knows, repeat. */
  const arm = (recommend: (pts: readonly Playtest[]) => ParamValues, next: (pts: readonly Playtest[], round: number, best: ParamValues) => ParamValues[]): Outcome[] => {
    let pts: Playtest[] = [...first];
    const outcomes: Outcome[] = [];
    for (let round = 0; ; round++) {
      const best = recommend(pts);
      outcomes.push(judge.score(truth, best));
      if (round === setup.rounds) return outcomes;
      pts = [...pts, ...play(next(pts, round + 1, best), round + 1)];
    }
  };
  const metaBalance = (pts: readonly Playtest[]): ParamValues => meta.balance({ level, playtests: pts }, { seed }).params;
  const suggested = (pts: readonly Playtest[], round: number): ParamValues[] =>
    meta.suggest({ level, playtests: pts }, setup.batch, { seed: seed + round }).map((s) => s.params);
  const agent = (pts: readonly Playtest[]): ParamValues => agentChoice(meta.model.project, level, pts, judge.variant, base, seed).params;
  const offset = (pts: readonly Playtest[]): ParamValues => offsets.balance({ level, playtests: pts }, { seed }).params;
  const fromScratch = (pts: readonly Playtest[]): ParamValues => balanceWith(meta.model, gpScratch(meta.model, level.id, pts), base, seed).params;
  return {
    'metabalance (suggested)': arm(metaBalance, suggested),
    'metabalance (random)': arm(metaBalance, (_, round) => randomSettings(meta.model, base, setup.batch, new Rng(seed).fork(`random-${level.id}-${round}`))),
    'metabalance (replicates of its recommendation)': arm(metaBalance, (_, __, best) => replicate(best)),
    'Bayes agent (own choice)': arm(agent, (_, __, best) => replicate(best)),
    'pooled + offsets (own choice)': arm(offset, (_, __, best) => replicate(best)),
    'GP Bayesian optimisation from scratch (own choice)': arm(fromScratch, (_, __, best) => replicate(best)),
  };
}
