// Shared test fixtures: the contract's example project.json and real temporary project folders.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function exampleProjectFile(): Record<string, unknown> {
  return {
    name: 'crypt-run',
    params: [
      { name: 'enemyHealth', type: 'float', min: 20, max: 200, default: 80, scale: 'log', group: 'balance' },
      { name: 'roomCount', type: 'int', min: 3, max: 12, default: 6, group: 'generation' },
      { name: 'bossEnabled', type: 'bool', default: true, group: 'generation' },
      { name: 'archetype', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'generation' },
    ],
    features: [{ name: 'area' }, { name: 'chokepoints', min: 0, max: 10 }],
    metrics: [
      { name: 'won', kind: 'rate' },
      { name: 'durationSec', kind: 'continuous' },
      { name: 'deaths', kind: 'count' },
    ],
    targets: [
      { metric: 'won', target: 0.6, tolerance: 0.05, weight: 1 },
      { metric: 'durationSec', target: 420, tolerance: 60, weight: 0.5 },
    ],
  };
}

export interface FolderContent {
  project?: unknown;
  levels?: string;
  playtests?: string;
}

/** A fresh project folder in the OS temp dir: the example project, levels L1 and L2, no playtests unless given. */
export async function makeProjectDir(content: FolderContent = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'metabalance-test-'));
  await mkdir(path.join(dir, 'models'));
  await writeFile(path.join(dir, 'project.json'), JSON.stringify(content.project ?? exampleProjectFile(), null, 2));
  await writeFile(path.join(dir, 'levels.jsonl'), content.levels ?? '{"id":"L1","features":{"area":1200,"chokepoints":3}}\n{"id":"L2","features":{"area":800}}\n');
  await writeFile(path.join(dir, 'playtests.jsonl'), content.playtests ?? '');
  return dir;
}

/** A valid playtest record for level `levelId`. */
export function playtest(id: string | undefined, levelId = 'L1', won = 1): Record<string, unknown> {
  return { ...(id !== undefined ? { id } : {}), levelId, params: { enemyHealth: 50, roomCount: 4 }, metrics: { won, durationSec: 300 } };
}
