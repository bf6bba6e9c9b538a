// Which params a search may move, and how a raw cube point becomes a legal setting: what balance,
// suggest and the benchmark's oracle search all go through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { movesOf, snap } from '../../src/balance/moves.js';
import { paramSpace } from '../../src/model/param-space.js';
import type { Project } from '../../src/project/types.js';
import { project, space } from './fixtures.js';

// cube dims: enemyHealth 0, spawnRate 1, potions 2, archetype 3–5 (one-hot), roomCount 6, bossEnabled 7
const names = project.params.map((p) => p.name);
const movingNames = (moving: readonly boolean[]): string[] => names.filter((_, i) => moving[i]);

test('by default only the balance group moves; --allow-generation adds the generation group', () => {
  const plain = movesOf(project, space);
  assert.deepEqual(movingNames(plain.moving), ['enemyHealth', 'spawnRate', 'potions', 'archetype']);
  assert.deepEqual(plain.dimsOf.map((ds) => [...ds].sort()), [[0], [1], [2], [3, 4, 5], [6], [7]]);
  assert.deepEqual(plain.movingDimIndex, [0, 1, 2, 3, 4, 5]);
  const all = movesOf(project, space, { allowGeneration: true });
  assert.deepEqual(movingNames(all.moving), names);
  assert.deepEqual(all.movingDimIndex, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(all.movingDims, new Array(8).fill(true));
});

test('a param locked in the project, by --lock or pinned by `fixed` never moves; an unknown lock is an error', () => {
  const withLocked: Project = { ...project, params: project.params.map((p) => (p.name === 'potions' ? { ...p, locked: true } : p)) };
  const moves = movesOf(withLocked, paramSpace(withLocked), { allowGeneration: true, locked: ['archetype'], fixed: { roomCount: 11 } });
  assert.deepEqual(movingNames(moves.moving), ['enemyHealth', 'spawnRate', 'bossEnabled']);
  assert.deepEqual(moves.movingDimIndex, [0, 1, 7]);
  assert.equal(moves.base.roomCount, 11, 'a pinned param keeps its pinned value');
  assert.throws(() => movesOf(project, space, { locked: ['nope'] }), /cannot lock unknown param "nope"/);
});

test('snap decodes the moving params and puts every other one back at its base value', () => {
  const moves = movesOf(project, space, { base: { enemyHealth: 50, roomCount: 9, bossEnabled: false } });
  assert.deepEqual({ ...moves.base }, { enemyHealth: 50, spawnRate: 1, potions: 2, archetype: 'mixed', roomCount: 9, bossEnabled: false });
  // every dim of the raw point is off its base; only the balance group may take the new values
  const { values, x } = snap(moves, [1, 0, 0.52, 0.1, 0.8, 0.3, 0, 1]);
  assert.deepEqual(values, { enemyHealth: 200, spawnRate: 0.5, potions: 3, archetype: 'ranged', roomCount: 9, bossEnabled: false });
  assert.deepEqual([...x], [...space.encode(values)]);
  // the level's current settings are a fixed point (up to the cube's float32)
  const kept = snap(moves, moves.baseX).values;
  for (const name of names) {
    const [got, want] = [kept[name], moves.base[name]];
    if (typeof want === 'number') assert.ok(Math.abs((got as number) - want) < 1e-6 * want, `${name} ${String(got)}`);
    else assert.equal(got, want, name);
  }
});
