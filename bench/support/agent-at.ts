// The Bayes agent's prediction: its posterior mean and variance of expected metrics at settings
// (the same playtests, the sample game's mechanics known).
import type { Level, ParamValues, Playtest } from '../../src/project/types.js';
import { levelPosterior } from '../../samples/crypt-run/bayes-agent.js';
import { expectedMetrics, type GameVariant, type SampleLevel } from '../../samples/crypt-run/game.js';

/** Per setting, the posterior mean and variance of each named metric's expected value. */
export function agentAt(record: Level, playtests: readonly Playtest[], variant: GameVariant, settings: readonly ParamValues[], names: readonly string[]): { mean: number[]; variance: number[] }[] {
  const post = levelPosterior(record, playtests, variant, { seed: 1 });
  return settings.map((s) => {
    const m1 = names.map(() => 0);
    const m2 = names.map(() => 0);
    post.levels.forEach((l: SampleLevel, i) => {
      const e = expectedMetrics(l, s, variant);
      names.forEach((name, k) => {
        const v = e[name]!;
        m1[k] += post.weights[i]! * v;
        m2[k] += post.weights[i]! * v * v;
      });
    });
    return { mean: m1, variance: m2.map((v, k) => Math.max(0, v - m1[k]! ** 2)) };
  });
}
