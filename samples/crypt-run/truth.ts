// truth.json: the simulator's hidden view of a generated project (every level's full features and
// hidden factors, the variant and seed). For benchmarks and the demo only — it is not part of the
// project format and metabalance never reads it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SampleCorpus } from './corpus.js';
import { variants, type GameVariant, type SampleLevel } from './game.js';

export const TRUTH_FILE = 'truth.json';

interface TruthJson {
  note: string;
  seed: number;
  variant: string;
  pastLevelIds: string[];
  newLevelIds: string[];
  levels: Record<string, Omit<SampleLevel, 'id'>>;
}

export interface Truth {
  seed: number;
  variant: GameVariant;
  levels: Map<string, SampleLevel>;
  pastLevelIds: string[];
  newLevelIds: string[];
}

export function truthJson(corpus: SampleCorpus, seed: number, variant: GameVariant): TruthJson {
  return {
    note: 'Hidden simulator state for benchmarks and the demo. Not part of the project format; metabalance never reads it.',
    seed,
    variant: variant.name,
    pastLevelIds: corpus.pastLevelIds,
    newLevelIds: corpus.newLevelIds,
    levels: Object.fromEntries([...corpus.truth].map(([id, l]) => [id, { features: l.features, hidden: l.hidden }])),
  };
}

/** Reads DIR/truth.json as written by generate.ts. */
export async function readTruth(dir: string): Promise<Truth> {
  const file = path.join(dir, TRUTH_FILE);
  const raw = JSON.parse(await readFile(file, 'utf8')) as TruthJson;
  const variant = variants.find((v) => v.name === raw.variant);
  if (!variant) throw new Error(`${file}: unknown variant "${raw.variant}"`);
  const levels = new Map(Object.entries(raw.levels).map(([id, l]) => [id, { id, features: l.features, hidden: l.hidden }]));
  return { seed: raw.seed, variant, levels, pastLevelIds: raw.pastLevelIds, newLevelIds: raw.newLevelIds };
}
