// A level's playtests as a meta-learning episode: a random support set to adapt on and a query set
// to score the adapted model on (MAML's train / test split within a task).
import type { Rng } from '../util/rng.js';
import type { LevelRows } from './data.js';

export interface Episode {
  support: LevelRows;
  query: LevelRows;
}

/** Rows `idx` of a level, copied in that order. */
function pickRows(l: LevelRows, idx: readonly number[], P: number, M: number): LevelRows {
  const x = new Float32Array(idx.length * P);
  const y = new Float32Array(idx.length * M);
  const obs = new Float32Array(idx.length * M);
  idx.forEach((r, i) => {
    x.set(l.x.subarray(r * P, (r + 1) * P), i * P);
    y.set(l.y.subarray(r * M, (r + 1) * M), i * M);
    obs.set(l.obs.subarray(r * M, (r + 1) * M), i * M);
  });
  return { id: l.id, rows: idx.length, x, feat: l.feat, y, obs };
}

/**
 * A random half of the level's playtests (rounded down, at least one) as support, the rest as
 * query. A level with a single playtest has nothing to hold out: that playtest is both.
 */
export function splitEpisode(l: LevelRows, rng: Rng, P: number, M: number): Episode {
  const order = rng.shuffle(Array.from({ length: l.rows }, (_, i) => i));
  if (l.rows < 2) return { support: pickRows(l, order, P, M), query: pickRows(l, order, P, M) };
  const s = Math.floor(l.rows / 2);
  return { support: pickRows(l, order.slice(0, s), P, M), query: pickRows(l, order.slice(s), P, M) };
}
