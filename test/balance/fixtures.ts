// A small project with every param kind and group, and closed-form predictors over it whose
// optimum is known, so the search itself can be checked against the truth.
import { functionPredictor } from '../support/function-predictor.js';
import { paramSpace } from '../../src/model/param-space.js';
import type { ParamValues, Project } from '../../src/project/types.js';

export const project: Project = {
  name: 'fixture',
  params: [
    { name: 'enemyHealth', type: 'float', min: 20, max: 200, default: 80, scale: 'log', group: 'balance', locked: false },
    { name: 'spawnRate', type: 'float', min: 0.5, max: 3, default: 1, scale: 'linear', group: 'balance', locked: false },
    { name: 'potions', type: 'int', min: 0, max: 6, default: 2, scale: 'linear', group: 'balance', locked: false },
    { name: 'archetype', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'balance', locked: false },
    { name: 'roomCount', type: 'int', min: 3, max: 12, default: 6, scale: 'linear', group: 'generation', locked: false },
    { name: 'bossEnabled', type: 'bool', default: true, group: 'generation', locked: false },
  ],
  features: [],
  metrics: [
    { name: 'health', kind: 'continuous' },
    { name: 'spawn', kind: 'continuous' },
    { name: 'loot', kind: 'count' },
    { name: 'rooms', kind: 'continuous' },
  ],
  segments: [],
  targets: [
    { metric: 'health', target: 77.3, tolerance: 1, weight: 1 },
    { metric: 'spawn', target: 1.7, tolerance: 0.05, weight: 1 },
    { metric: 'loot', target: 13, tolerance: 0.5, weight: 1 },
    { metric: 'rooms', target: 9, tolerance: 0.5, weight: 0.5 },
  ],
};

export const space = paramSpace(project);
const archetypeIndex = (v: unknown): number => ['melee', 'ranged', 'mixed'].indexOf(String(v));

/** Every metric reads one param, so the unique optimum is enemyHealth 77.3, spawnRate 1.7, potions 3, ranged (and roomCount 9 when generation may move). */
export function separable(values: ParamValues): Record<string, number> {
  return {
    health: Number(values.enemyHealth),
    spawn: Number(values.spawnRate),
    loot: Number(values.potions) + 10 * archetypeIndex(values.archetype),
    rooms: Number(values.roomCount) + (values.bossEnabled === true ? 0 : 0.25),
  };
}

export function separablePredictor(spread?: number) {
  return functionPredictor(space, {
    levelId: 'L1',
    metrics: project.metrics.map((m) => m.name),
    fn: separable,
    ...(spread === undefined ? {} : { spread: () => ({ health: spread, spawn: spread / 20, loot: spread / 2, rooms: spread / 2 }) }),
  });
}
