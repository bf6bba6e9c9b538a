// A small, seeded, self-contained project folder for server tests (real files, real store): a
// toy game whose win rate falls with enemy health and level difficulty and rises with potions.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '../../src/util/rng.js';

export const fixtureProject = {
  name: 'fixture-arena',
  params: [
    { name: 'enemyHealth', type: 'float', min: 20, max: 200, default: 80, scale: 'log' },
    { name: 'potionRate', type: 'float', min: 0, max: 1, default: 0.3 },
    { name: 'roomCount', type: 'int', min: 3, max: 12, default: 6, group: 'generation' },
    { name: 'archetype', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'generation' },
  ],
  features: [{ name: 'area' }, { name: 'chokepoints', min: 0, max: 10 }],
  metrics: [
    { name: 'won', kind: 'rate' },
    { name: 'durationSec', kind: 'continuous' },
  ],
  targets: [
    { metric: 'won', target: 0.6, tolerance: 0.05, weight: 1 },
    { metric: 'durationSec', target: 420, tolerance: 60, weight: 0.5 },
  ],
};

export interface FixtureOptions {
  levels?: number;
  playtestsPerLevel?: number;
  seed?: number;
}

export function fixturePlaytest(rng: Rng, levelId: string, difficulty: number, id: string): Record<string, unknown> {
  const enemyHealth = Math.round(20 * Math.exp(rng.next() * Math.log(10)) * 10) / 10;
  const potionRate = Math.round(rng.next() * 100) / 100;
  const roomCount = rng.int(3, 13);
  const logit = 1.2 - 1.6 * Math.log(enemyHealth / 80) + 1.5 * (potionRate - 0.3) - difficulty;
  const won = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  const durationSec = Math.round(200 + 2.2 * enemyHealth + 18 * roomCount + 25 * rng.normal());
  return {
    id,
    levelId,
    params: { enemyHealth, potionRate, roomCount, archetype: rng.pick(['melee', 'ranged', 'mixed']) },
    metrics: { won, durationSec },
    tester: 'bot:fixture',
  };
}

/** Writes project.json, levels.jsonl and playtests.jsonl into a fresh temp folder. */
export async function makeProjectDir(opts: FixtureOptions = {}): Promise<string> {
  const rng = new Rng(opts.seed ?? 1);
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-sidecar-'));
  const levels: string[] = [];
  const playtests: string[] = [];
  for (let i = 0; i < (opts.levels ?? 10); i++) {
    const id = `L${String(i).padStart(3, '0')}`;
    const chokepoints = rng.int(0, 11);
    const area = Math.round(600 + rng.next() * 1400);
    const difficulty = 0.15 * chokepoints - area / 2500 + 0.3 * rng.normal();
    levels.push(JSON.stringify({ id, features: { area, chokepoints } }));
    for (let j = 0; j < (opts.playtestsPerLevel ?? 12); j++) {
      playtests.push(JSON.stringify(fixturePlaytest(rng, id, difficulty, `${id}-pt${j}`)));
    }
  }
  await writeFile(path.join(dir, 'project.json'), `${JSON.stringify(fixtureProject, null, 2)}\n`);
  await writeFile(path.join(dir, 'levels.jsonl'), `${levels.join('\n')}\n`);
  await writeFile(path.join(dir, 'playtests.jsonl'), `${playtests.join('\n')}\n`);
  return dir;
}
