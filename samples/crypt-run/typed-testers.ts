// A population of named human-like testers of hidden types (issue 14): each tester is one of five
// types that differ in skill AND in play style, has a little skill of its own around its type's,
// and plays an unequal share of the runs. The project declares a part of each type's testers as a
// segment named for the type (what a designer who knows some of their testers would write); the
// rest are undeclared, for typing to infer and for the typing bench to hold out.
import type { Segment } from '../../src/project/types.js';
import { Rng } from '../../src/util/rng.js';
import type { Style, Tester } from './game.js';

export interface TesterType {
  name: string;
  skillMean: number;
  style: Style;
}

/**
 * Rushers clear levels fast and take more damage; careful players are slow and take less;
 * explorers search every room (more potions, more walking). Novices and experts differ in skill.
 */
export const TESTER_TYPES: readonly TesterType[] = [
  { name: 'novice', skillMean: -1, style: { pace: 1.1, recklessness: 1, thoroughness: 1 } },
  { name: 'rusher', skillMean: 0, style: { pace: 0.75, recklessness: 1.3, thoroughness: 0.8 } },
  { name: 'careful', skillMean: 0, style: { pace: 1.3, recklessness: 0.75, thoroughness: 1 } },
  { name: 'explorer', skillMean: 0.3, style: { pace: 1.1, recklessness: 1, thoroughness: 1.5 } },
  { name: 'expert', skillMean: 1, style: { pace: 0.9, recklessness: 1, thoroughness: 1 } },
];

/** A tester's own skill differs from its type's by this sd; run-to-run it varies by SKILL_SD. */
const OWN_SKILL_SD = 0.2;
const SKILL_SD = 0.3;
/** log-sd of how many runs a tester plays (some play five times as often as others) */
const SHARE_SPREAD = 0.7;

export interface TypedPopulation {
  testers: Tester[];
  /** one per type, each listing the declared part of that type's testers */
  segments: Segment[];
}

/**
 * `count` testers (tester-001 …), types dealt round-robin in a seeded order so every type has
 * count/5 of them; `declared` of each type's testers are named in its segment.
 */
export function typedPopulation(seed: number, count = 50, declared = 0.6): TypedPopulation {
  const rng = new Rng(seed).fork('typed-testers');
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const weights = order.map(() => Math.exp(SHARE_SPREAD * rng.normal()));
  const total = weights.reduce((a, b) => a + b, 0);
  const testers = order.map((slot, i): Tester => {
    const type = TESTER_TYPES[slot % TESTER_TYPES.length]!;
    return {
      name: `tester-${String(i + 1).padStart(3, '0')}`,
      share: weights[i]! / total,
      skillMean: type.skillMean + OWN_SKILL_SD * rng.normal(),
      skillSd: SKILL_SD,
      style: type.style,
      type: type.name,
    };
  });
  const segments = TESTER_TYPES.map((type) => {
    const members = testers.filter((t) => t.type === type.name).map((t) => t.name);
    return { name: type.name, testers: members.slice(0, Math.max(1, Math.round(declared * members.length))) };
  });
  return { testers, segments };
}
