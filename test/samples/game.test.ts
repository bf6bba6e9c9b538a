import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedMetrics, makeLevel, projectFile, simulatePlaytest, testers, variants, type GameVariant, type SampleLevel } from '../../samples/crypt-run/game.js';
import { defaultParams } from '../../samples/crypt-run/oracle.js';
import type { ParamValues } from '../../src/project/types.js';
import { Rng } from '../../src/util/rng.js';

const METRICS = ['won', 'durationSec', 'damageTaken', 'potionsUsed'] as const;

function levels(n: number, seed: number, variant?: GameVariant): SampleLevel[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => makeLevel(rng.fork(i), `T${i}`, variant));
}

interface Moments {
  mean: Record<string, number>;
  se: Record<string, number>;
}

function simulatedMoments(level: SampleLevel, params: ParamValues, n: number, seed: number, variant?: GameVariant): Moments {
  const rng = new Rng(seed);
  const sum: Record<string, number> = {};
  const sq: Record<string, number> = {};
  for (const m of METRICS) sum[m] = sq[m] = 0;
  for (let i = 0; i < n; i++) {
    const { metrics } = simulatePlaytest(level, params, rng, variant);
    for (const m of METRICS) {
      sum[m]! += metrics[m]!;
      sq[m]! += metrics[m]! ** 2;
    }
  }
  const mean: Record<string, number> = {};
  const se: Record<string, number> = {};
  for (const m of METRICS) {
    mean[m] = sum[m]! / n;
    se[m] = Math.sqrt(Math.max(0, sq[m]! / n - mean[m]! ** 2) / n);
  }
  return { mean, se };
}

const hard: ParamValues = { ...defaultParams(), enemyHealth: 180, enemyDamage: 14, spawnRate: 1.6, potionRate: 0.4, difficultyCurve: 'spike', archetype: 'ranged' };
const easy: ParamValues = { ...defaultParams(), enemyHealth: 40, enemyDamage: 4, potionRate: 0, playerStartHealth: 180, difficultyCurve: 'flat', bossEnabled: false, roomCount: 5 };

test('expectedMetrics equals the mean of many simulated playtests, for every variant and very different params', () => {
  for (const variant of variants) {
    const [a, b] = levels(2, 11, variant);
    for (const [level, params] of [
      [a!, defaultParams()],
      [b!, hard],
      [a!, easy],
    ] as const) {
      const exact = expectedMetrics(level, params, variant);
      const sim = simulatedMoments(level, params, 20_000, 3, variant);
      for (const m of METRICS) {
        // measurement rounding (0.1 s, 0.1 hp) adds at most 0.05 of bias
        const z = (sim.mean[m]! - exact[m]!) / (sim.se[m]! + 1e-9);
        assert.ok(Math.abs(z) < 4.5 || Math.abs(sim.mean[m]! - exact[m]!) < 0.05, `${variant.name} ${m}: simulated ${sim.mean[m]} vs exact ${exact[m]} (z ${z.toFixed(2)})`);
      }
    }
  }
});

test('expectedMetrics is deterministic', () => {
  const [level] = levels(1, 5);
  const a = expectedMetrics(level!, hard);
  assert.deepEqual(expectedMetrics(level!, hard), a);
  assert.deepEqual(Object.keys(a).sort(), [...METRICS].sort());
});

test('a simulated playtest is seeded, names its tester and reports every metric in range', () => {
  const [level] = levels(1, 6);
  const one = (seed: number): unknown[] => Array.from({ length: 50 }, ((rng) => () => simulatePlaytest(level!, hard, rng))(new Rng(seed)));
  assert.deepEqual(one(9), one(9));
  assert.notDeepEqual(one(9), one(10));
  const seen = new Set<string>();
  const rng = new Rng(1);
  for (let i = 0; i < 600; i++) {
    const { metrics, tester } = simulatePlaytest(level!, defaultParams(), rng);
    seen.add(tester);
    assert.ok(metrics.won === 0 || metrics.won === 1);
    assert.ok(metrics.durationSec! > 0 && metrics.damageTaken! > 0);
    assert.ok(Number.isInteger(metrics.potionsUsed) && metrics.potionsUsed! >= 0);
  }
  assert.deepEqual([...seen].sort(), testers.map((t) => t.name).sort());
});

test('skill matters: experts win more often than novices', () => {
  const [level] = levels(1, 8);
  const rng = new Rng(2);
  const wins = new Map<string, [number, number]>();
  for (let i = 0; i < 6000; i++) {
    const { metrics, tester } = simulatePlaytest(level!, defaultParams(), rng);
    const [w, n] = wins.get(tester) ?? [0, 0];
    wins.set(tester, [w + metrics.won!, n + 1]);
  }
  const rate = (t: string): number => wins.get(t)![0] / wins.get(t)![1];
  assert.ok(rate('bot:novice') + 0.2 < rate('bot:average') && rate('bot:average') + 0.1 < rate('bot:expert'), JSON.stringify([...wins]));
});

test('a defeat cuts the run short: lost runs are shorter than won runs at the same params', () => {
  const [level] = levels(1, 4);
  const rng = new Rng(3);
  const dur = { won: [0, 0], lost: [0, 0] };
  for (let i = 0; i < 8000; i++) {
    const { metrics } = simulatePlaytest(level!, { ...defaultParams(), enemyDamage: 10 }, rng);
    const d = metrics.won === 1 ? dur.won : dur.lost;
    d[0]! += metrics.durationSec!;
    d[1]! += 1;
  }
  assert.ok(dur.won[1]! > 500 && dur.lost[1]! > 500, `both outcomes occur: ${JSON.stringify(dur)}`);
  assert.ok(dur.lost[0]! / dur.lost[1]! < 0.8 * (dur.won[0]! / dur.won[1]!), JSON.stringify(dur));
});

test('hidden factors matter: two levels with equal features play differently', () => {
  const pool = levels(60, 21);
  const base = pool[0]!;
  let maxGap = 0;
  for (const other of pool.slice(1)) {
    const twin: SampleLevel = { id: 'twin', features: { ...base.features }, hidden: { ...other.hidden } };
    maxGap = Math.max(maxGap, Math.abs(expectedMetrics(twin, defaultParams()).won! - expectedMetrics(base, defaultParams()).won!));
  }
  assert.ok(maxGap > 0.2, `largest win-rate gap between feature twins: ${maxGap}`);
  // ... and the features hint at them only weakly: toughness correlates a little with chokepoints.
  const corr = correlation(
    pool.map((l) => l.features.chokepoints!),
    pool.map((l) => Math.log(l.hidden.toughness!)),
  );
  assert.ok(corr > 0 && corr < 0.75, `corr(chokepoints, log toughness) = ${corr}`);
});

function correlation(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

test('effects interact with the level: tougher enemies lengthen runs on some levels and shorten them (more defeats) on others', () => {
  const pool = levels(30, 33);
  const effect = (metric: string): number[] =>
    pool.map((l) => expectedMetrics(l, { ...defaultParams(), enemyHealth: 120 })[metric]! - expectedMetrics(l, defaultParams())[metric]!);
  assert.ok(effect('won').every((d) => d < 0), 'tougher enemies never help');
  const duration = effect('durationSec');
  assert.ok(Math.max(...duration) > 10 && Math.min(...duration) < -10, `duration effects: ${duration.map((d) => d.toFixed(0)).join(' ')}`);
});

test('variants really change the mechanics (scavenger: potions saturate, more spawns can mean more wins)', () => {
  const [level] = levels(1, 2);
  const standard = variants[0]!;
  const scavenger = variants.find((v) => v.name === 'scavenger')!;
  const won = (v: GameVariant, params: ParamValues): number => expectedMetrics(level!, { ...defaultParams(), ...params }, v).won!;
  const potionGain = (v: GameVariant): number => won(v, { potionRate: 0.6 }) - won(v, { potionRate: 0.3 });
  assert.ok(potionGain(scavenger) < potionGain(standard) / 3, `potionRate 0.3 → 0.6: ${potionGain(scavenger)} vs ${potionGain(standard)}`);
  const bySpawn = (v: GameVariant, spawnRate: number): number => won(v, { spawnRate, enemyDamage: 3, potionRate: 0 });
  assert.ok(bySpawn(standard, 0.8) < bySpawn(standard, 0.4), 'standard: more enemies, fewer wins');
  assert.ok(bySpawn(scavenger, 0.8) > bySpawn(scavenger, 0.4) && bySpawn(scavenger, 2.5) < bySpawn(scavenger, 0.8), 'scavenger: drops help until the belt is full');
  assert.ok(variants.length >= 3);
  const atDefaults = variants.map((v) => expectedMetrics(level!, defaultParams(), v).durationSec!.toFixed(3));
  assert.equal(new Set(atDefaults).size, variants.length);
  assert.equal(new Set(variants.map((v) => v.name)).size, variants.length);
});

test('bad params fail with an error naming the param; missing ones mean the default', () => {
  const [level] = levels(1, 1);
  assert.throws(() => expectedMetrics(level!, { ...defaultParams(), enemyHealth: 'lots' }), /enemyHealth/);
  assert.throws(() => expectedMetrics(level!, { ...defaultParams(), archetype: 'dragons' }), /archetype/);
  assert.deepEqual(expectedMetrics(level!, {}), expectedMetrics(level!, defaultParams()));
  assert.equal(projectFile.params.filter((p) => p.type === 'int').length >= 1, true);
  assert.equal(projectFile.params.filter((p) => p.type === 'choice').length >= 1, true);
});
