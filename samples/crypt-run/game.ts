// crypt-run: a roguelike dungeon run, simulated. A bot clears the level's rooms (and a boss) while
// enemies and traps wear its health down and found potions heal it; it wins if it reaches the end.
//
// One run in numbers (everything per tester skill s; see runShape):
//   D ~ LogNormal(ln D0, σ²)     the damage clearing the whole level would cost
//   B = H0 + heal·P              start health plus what the potions found on the way heal
//   won ⇔ D ≤ B; a lost run dies at progress p = H0 / (D − heal·P) < 1, so its duration, damage and
//   potions are cut to that point — a defeat means something different from a victory.
// Hidden per-level factors (toughness multiplies enemy health, ambush incoming damage, mazeness
// traversal and traps, pacing the clock) act multiplicatively with the params: a model without
// per-level context is biased level by level. They correlate only a little with the features.
//
// expectedMetrics integrates the same model exactly: Gauss-Hermite over skill, closed forms over the
// damage luck (lognormal partial moments), one Gauss-Legendre integral for the lost-run progress.
import type { ParamValue, ParamValues, Playtest, ProjectFile } from '../../src/project/types.js';
import type { Rng } from '../../src/util/rng.js';
import { gaussHermiteNormal, gaussLegendre01, normCdf, normQuantile, type QuadratureRule } from './math.js';

export const projectFile: ProjectFile = {
  name: 'crypt-run',
  description:
    'Sample game: a roguelike dungeon run played by bots of three skill levels. Balance the enemies and potions so that 60 % of runs are won and a run takes about 7 minutes.',
  params: [
    { name: 'enemyHealth', type: 'float', min: 20, max: 300, default: 80, scale: 'log', group: 'balance', description: 'hit points of a regular enemy' },
    { name: 'enemyDamage', type: 'float', min: 2, max: 24, default: 8, group: 'balance', description: 'damage per second an enemy deals while in melee or line of sight' },
    { name: 'spawnRate', type: 'float', min: 0.4, max: 2.5, default: 1, scale: 'log', group: 'balance', description: 'enemy count multiplier' },
    { name: 'potionRate', type: 'float', min: 0, max: 0.6, default: 0.15, group: 'balance', description: 'health potions found per room' },
    { name: 'playerStartHealth', type: 'int', min: 50, max: 250, default: 100, group: 'balance' },
    { name: 'difficultyCurve', type: 'choice', choices: ['flat', 'ramp', 'spike'], default: 'ramp', group: 'balance', description: 'how difficulty is spread over the run; spike means easy rooms and a hard boss' },
    { name: 'roomCount', type: 'int', min: 4, max: 14, default: 8, group: 'generation' },
    { name: 'trapDensity', type: 'float', min: 0, max: 0.4, default: 0.1, group: 'generation', description: 'traps per room' },
    { name: 'archetype', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'generation', description: 'enemy mix' },
    { name: 'bossEnabled', type: 'bool', default: true, group: 'generation' },
  ],
  features: [
    { name: 'area', min: 0, description: 'walkable floor area, m²' },
    { name: 'chokepoints', min: 0, max: 10, description: 'narrow passages where enemies can be fought one at a time' },
    { name: 'corridorRatio', min: 0, max: 1, description: 'share of the floor that is corridor' },
    { name: 'verticality', min: 0, max: 1, description: 'how much of the level is stairs, ledges and pits' },
    { name: 'secretRooms', min: 0, description: 'hidden rooms (they hold extra loot)' },
    { name: 'lightLevel', min: 0, max: 1, description: 'average lighting' },
  ],
  metrics: [
    { name: 'won', kind: 'rate', description: '1 if the bot reached the exit' },
    { name: 'durationSec', kind: 'continuous', description: 'run length; a lost run ends at death' },
    { name: 'damageTaken', kind: 'continuous', description: 'health lost over the run' },
    { name: 'potionsUsed', kind: 'count' },
  ],
  targets: [
    { metric: 'won', target: 0.6, tolerance: 0.05, weight: 1 },
    { metric: 'durationSec', target: 420, tolerance: 60, weight: 0.5 },
    { metric: 'damageTaken', target: 130, tolerance: 35, weight: 0.25 },
  ],
};

/** Mechanics coefficients: variants change them to check the balancer is not tuned to one game. */
export interface GameVariant {
  name: string;
  description: string;
  /** player damage per second at skill 0 */
  playerDps: number;
  /** share of an enemy's damage per second that lands on a skill-0 player */
  hitRate: number;
  /** incoming damage × exp(−skillDodge · skill) */
  skillDodge: number;
  /** incoming damage grows like spawnRate^(1 + crowdExponent): more enemies attack at once */
  crowdExponent: number;
  /** log-sd of a run's total damage (luck) */
  damageSpread: number;
  potionHeal: number;
  /** the potion belt holds this many; more found is wasted (null: no limit) */
  potionCap: number | null;
  /** potions dropped per enemy killed */
  potionDropPerKill: number;
  /** walking speed, m/s, at skill 0 */
  traversalSpeed: number;
  /** strength of the hidden per-level factors (1 = standard) */
  hiddenScale: number;
}

export const variants: GameVariant[] = [
  {
    name: 'standard',
    description: 'the reference game',
    playerDps: 14,
    hitRate: 0.062,
    skillDodge: 0.45,
    crowdExponent: 0.4,
    damageSpread: 0.35,
    potionHeal: 30,
    potionCap: null,
    potionDropPerKill: 0,
    traversalSpeed: 6,
    hiddenScale: 1,
  },
  {
    name: 'glass-cannon',
    description: 'the player hits hard but is fragile; skill matters more and runs are swingier',
    playerDps: 20,
    hitRate: 0.13,
    skillDodge: 0.7,
    crowdExponent: 0.6,
    damageSpread: 0.5,
    potionHeal: 40,
    potionCap: null,
    potionDropPerKill: 0,
    traversalSpeed: 4.5,
    hiddenScale: 1.3,
  },
  {
    name: 'attrition',
    description: 'weak hits, long fights, potions matter most; hidden factors weaker',
    playerDps: 8,
    hitRate: 0.038,
    skillDodge: 0.3,
    crowdExponent: 0.2,
    damageSpread: 0.25,
    potionHeal: 25,
    potionCap: null,
    potionDropPerKill: 0,
    traversalSpeed: 7,
    hiddenScale: 0.7,
  },
  {
    name: 'scavenger',
    description:
      'enemies drop potions, so more spawns can make a run easier; the potion belt holds 5, so potionRate saturates',
    playerDps: 14,
    hitRate: 0.078,
    skillDodge: 0.45,
    crowdExponent: 0.1,
    damageSpread: 0.35,
    potionHeal: 30,
    potionCap: 5,
    potionDropPerKill: 0.4,
    traversalSpeed: 6,
    hiddenScale: 1,
  },
];

const STANDARD = variants[0]!;

export interface SampleLevel {
  id: string;
  /** every feature, true values (a level record in levels.jsonl may omit one) */
  features: Record<string, number>;
  /** multiplicative factors only playtests reveal: toughness, ambush, mazeness, pacing */
  hidden: Record<string, number>;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * How a level's layout traits become its recorded features: each feature is a non-decreasing
 * function of one latent standard normal (clamped and rounded as a level editor would store it).
 * The Bayes agent (bayes-agent.ts) inverts these to learn which latents a recorded value allows.
 */
export const FEATURE_LATENTS: readonly { feature: string; latent: number; value: (g: number) => number }[] = [
  { feature: 'area', latent: 0, value: (g) => Math.round(clamp(1400 * Math.exp(0.25 * g), 700, 3000)) },
  { feature: 'chokepoints', latent: 1, value: (g) => Math.round(clamp(4 + 2 * g, 0, 10)) },
  { feature: 'corridorRatio', latent: 2, value: (g) => round(clamp(0.35 + 0.12 * g, 0.05, 0.8), 3) },
  { feature: 'verticality', latent: 3, value: (g) => round(normCdf(g), 3) },
  { feature: 'secretRooms', latent: 4, value: (g) => Math.round(clamp(1.5 + 1.2 * g, 0, 5)) },
];
export const LAYOUT_LATENTS = 5;
export const HIDDEN_FACTORS = 4;

/**
 * The hidden factors from the layout latents g and their own normals n: each shares ~0.35
 * correlation with one feature's latent and is otherwise its own.
 */
export function hiddenFactors(g: ArrayLike<number>, n: ArrayLike<number>, variant: GameVariant = STANDARD): Record<string, number> {
  const hs = variant.hiddenScale;
  return {
    toughness: Math.exp(hs * 0.3 * (0.35 * g[1]! + 0.94 * n[0]!)),
    ambush: Math.exp(hs * 0.3 * (0.35 * g[3]! + 0.94 * n[1]!)),
    mazeness: Math.exp(hs * 0.2 * (0.4 * g[2]! + 0.92 * n[2]!)),
    pacing: Math.exp(hs * 0.12 * (-0.3 * g[0]! + 0.95 * n[3]!)),
  };
}

export function makeLevel(rng: Rng, id: string, variant: GameVariant = STANDARD): SampleLevel {
  const g = Array.from({ length: LAYOUT_LATENTS }, () => rng.normal());
  const n = Array.from({ length: HIDDEN_FACTORS }, () => rng.normal());
  const features: Record<string, number> = {};
  for (const f of FEATURE_LATENTS) features[f.feature] = f.value(g[f.latent]!);
  features['lightLevel'] = round(rng.next(), 3);
  return { id, features, hidden: hiddenFactors(g, n, variant) };
}

export interface Tester {
  name: string;
  share: number;
  skillMean: number;
  skillSd: number;
  /** play style (absent: the bots' style, 1): a full run's time × pace, its damage × recklessness, potions found × thoroughness */
  style?: Style;
  /** the hidden type of a typed tester (typed-testers.ts) */
  type?: string;
}

export interface Style {
  pace: number;
  recklessness: number;
  thoroughness: number;
}

export const testers: readonly Tester[] = [
  { name: 'bot:novice', share: 0.3, skillMean: -1, skillSd: 0.35 },
  { name: 'bot:average', share: 0.45, skillMean: 0, skillSd: 0.35 },
  { name: 'bot:expert', share: 0.25, skillMean: 1, skillSd: 0.35 },
];

interface ArchetypeMods {
  health: number;
  damage: number;
  /** incoming damage × exp(chokepoint · chokepoints): melee enemies are funnelled, ranged ones are not */
  chokepoint: number;
  /** incoming damage × (1 + vertical · verticality): ranged enemies shoot from ledges */
  vertical: number;
}
const ARCHETYPES: Record<string, ArchetypeMods> = {
  melee: { health: 1.25, damage: 1.0, chokepoint: -0.06, vertical: 0 },
  ranged: { health: 0.8, damage: 0.85, chokepoint: 0.03, vertical: 0.5 },
  mixed: { health: 1.0, damage: 0.95, chokepoint: -0.015, vertical: 0.25 },
};

interface CurveMods {
  damage: number;
  spread: number;
  boss: number;
  time: number;
}
const CURVES: Record<string, CurveMods> = {
  flat: { damage: 0.92, spread: 0.75, boss: 1, time: 1 },
  ramp: { damage: 1, spread: 1, boss: 1, time: 1.05 },
  spike: { damage: 0.8, spread: 1.35, boss: 1.6, time: 0.95 },
};

interface CryptParams {
  enemyHealth: number;
  enemyDamage: number;
  spawnRate: number;
  potionRate: number;
  playerStartHealth: number;
  difficultyCurve: CurveMods;
  roomCount: number;
  trapDensity: number;
  archetype: ArchetypeMods;
  bossEnabled: boolean;
}

function paramValue(params: ParamValues, name: string): ParamValue {
  const def = projectFile.params.find((p) => p.name === name);
  const v = params[name] ?? def?.default;
  if (v === undefined) throw new Error(`crypt-run: no value for param "${name}"`);
  return v;
}
function num(params: ParamValues, name: string): number {
  const v = paramValue(params, name);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`crypt-run: param "${name}" must be a finite number (got ${JSON.stringify(v)})`);
  return v;
}
function option<T>(params: ParamValues, name: string, table: Record<string, T>): T {
  const v = paramValue(params, name);
  const found = typeof v === 'string' ? table[v] : undefined;
  if (found === undefined) throw new Error(`crypt-run: param "${name}" must be one of ${Object.keys(table).join(', ')} (got ${JSON.stringify(v)})`);
  return found;
}

/** Params with defaults filled in for missing ones (as the project format says). */
function readParams(params: ParamValues): CryptParams {
  const boss = paramValue(params, 'bossEnabled');
  if (typeof boss !== 'boolean') throw new Error(`crypt-run: param "bossEnabled" must be a boolean (got ${JSON.stringify(boss)})`);
  return {
    enemyHealth: num(params, 'enemyHealth'),
    enemyDamage: num(params, 'enemyDamage'),
    spawnRate: num(params, 'spawnRate'),
    potionRate: num(params, 'potionRate'),
    playerStartHealth: num(params, 'playerStartHealth'),
    difficultyCurve: option(params, 'difficultyCurve', CURVES),
    roomCount: num(params, 'roomCount'),
    trapDensity: num(params, 'trapDensity'),
    archetype: option(params, 'archetype', ARCHETYPES),
    bossEnabled: boss,
  };
}

/** Everything about a run that is fixed once the tester's skill is known. */
export interface RunShape {
  /** median total damage to clear the level */
  d0: number;
  /** log-sd of the total damage */
  sigma: number;
  startHealth: number;
  /** potions found over a full run (after the belt cap) */
  potions: number;
  /** health those potions restore */
  healing: number;
  /** expected duration of a full (won) run */
  fullTime: number;
}

function featureOf(level: SampleLevel, name: string): number {
  const v = level.features[name];
  if (v === undefined) throw new Error(`crypt-run: level ${level.id} has no feature "${name}"`);
  return v;
}
function hiddenOf(level: SampleLevel, name: string): number {
  const v = level.hidden[name];
  if (v === undefined) throw new Error(`crypt-run: level ${level.id} has no hidden factor "${name}"`);
  return v;
}

/** Per-level quantities that do not depend on skill, computed once per call. */
export interface LevelContext {
  p: CryptParams;
  v: GameVariant;
  enemies: number;
  enemyHp: number;
  bossHp: number;
  incoming: number;
  traps: number;
  walk: number;
  potions: number;
  sigma: number;
  timeScale: number;
}

export function levelContext(level: SampleLevel, params: ParamValues, v: GameVariant): LevelContext {
  const p = readParams(params);
  const area = featureOf(level, 'area');
  const rooms = p.roomCount;
  const vert = featureOf(level, 'verticality');
  const maze = hiddenOf(level, 'mazeness');
  const enemies = p.spawnRate * rooms * 2 * Math.pow(area / rooms / 180, 0.35);
  const enemyHp = p.enemyHealth * hiddenOf(level, 'toughness') * p.archetype.health;
  const incoming =
    p.enemyDamage *
    v.hitRate *
    p.archetype.damage *
    hiddenOf(level, 'ambush') *
    Math.exp(p.archetype.chokepoint * featureOf(level, 'chokepoints')) *
    (1 + p.archetype.vertical * vert);
  const found = p.potionRate * (rooms + 1) * (1 + 0.12 * featureOf(level, 'secretRooms')) + v.potionDropPerKill * enemies;
  const potions = v.potionCap === null ? found : v.potionCap * (1 - Math.exp(-found / v.potionCap));
  return {
    p,
    v,
    enemies,
    enemyHp,
    bossHp: p.bossEnabled ? 8 * enemyHp * p.difficultyCurve.boss : 0,
    incoming: incoming * Math.pow(p.spawnRate, v.crowdExponent),
    traps: p.trapDensity * rooms * 60 * maze * (1 + 0.5 * vert),
    walk: (area * (1 + 0.9 * featureOf(level, 'corridorRatio')) * maze * (1 + 0.4 * vert)) / v.traversalSpeed + p.trapDensity * rooms * 8 * maze,
    potions,
    sigma: v.damageSpread * p.difficultyCurve.spread,
    timeScale: p.difficultyCurve.time * hiddenOf(level, 'pacing'),
  };
}

export function runShape(c: LevelContext, skill: number, style?: Style): RunShape {
  const dps = c.v.playerDps * Math.exp(0.28 * skill);
  const fightTime = (c.enemies * c.enemyHp) / dps;
  const bossTime = c.bossHp / dps;
  const dodge = Math.exp(-c.v.skillDodge * skill);
  const d0 = c.p.difficultyCurve.damage * c.incoming * dodge * (fightTime + 1.5 * bossTime) + c.traps * Math.exp(-0.5 * skill);
  if (style === undefined) {
    return {
      d0,
      sigma: c.sigma,
      startHealth: c.p.playerStartHealth,
      potions: c.potions,
      healing: c.v.potionHeal * c.potions,
      fullTime: c.timeScale * (c.walk / Math.exp(0.12 * skill) + 1.15 * fightTime + bossTime + 2 * c.potions),
    };
  }
  // a style scales how long the level takes, how much of its damage lands and how much of its loot is found
  const potions = c.potions * style.thoroughness;
  return {
    d0: d0 * style.recklessness,
    sigma: c.sigma,
    startHealth: c.p.playerStartHealth,
    potions,
    healing: c.v.potionHeal * potions,
    fullTime: style.pace * c.timeScale * (c.walk * style.thoroughness / Math.exp(0.12 * skill) + 1.15 * fightTime + bossTime + 2 * potions),
  };
}

/** A won run drinks potions once health is below half: the share of found potions it drinks. */
export function wonPotionShare(run: RunShape, damage: number): number {
  if (run.healing <= 0) return 0;
  return clamp((damage - 0.5 * run.startHealth) / run.healing, 0, 1);
}

export const TIME_SD = 0.12; // run-to-run duration noise (log-sd)
export const OBS_SD = 0.04; // measurement noise on duration and damage (log-sd)

function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let prod = rng.next();
  while (prod > limit) {
    k++;
    prod *= rng.next();
  }
  return k;
}

function lognormalUnitMean(rng: Rng, sd: number): number {
  return Math.exp(sd * rng.normal() - (sd * sd) / 2);
}

export function simulatePlaytest(
  level: SampleLevel,
  params: ParamValues,
  rng: Rng,
  variant: GameVariant = STANDARD,
  population: readonly Tester[] = testers,
): { metrics: Record<string, number>; tester: string } {
  const c = levelContext(level, params, variant);
  let u = rng.next();
  const tester = population.find((t) => (u -= t.share) < 0) ?? population[population.length - 1]!;
  const run = runShape(c, tester.skillMean + tester.skillSd * rng.normal(), tester.style);
  const damage = run.d0 * Math.exp(run.sigma * rng.normal());
  const won = damage <= run.startHealth + run.healing;
  const progress = won ? 1 : run.startHealth / (damage - run.healing);
  const duration = run.fullTime * progress * lognormalUnitMean(rng, TIME_SD) * lognormalUnitMean(rng, OBS_SD);
  const taken = (won ? damage : run.startHealth + run.healing * progress) * lognormalUnitMean(rng, OBS_SD);
  const potionsUsed = poisson(rng, run.potions * (won ? wonPotionShare(run, damage) : progress));
  return {
    tester: tester.name,
    metrics: { won: won ? 1 : 0, durationSec: round(duration, 1), damageTaken: round(taken, 1), potionsUsed },
  };
}

/** Bot playtests of `level`, one per setting, as a level's record would hold them (no id: a store assigns one). */
export function botPlaytests(level: SampleLevel, levelId: string, settings: readonly ParamValues[], rng: Rng, variant: GameVariant = STANDARD): Playtest[] {
  return settings.map((params) => ({ levelId, params, ...simulatePlaytest(level, params, rng, variant) }));
}

/** Quadrature over a tester's skill and over where lost runs end. */
export interface MetricRules {
  skill: QuadratureRule;
  lost: QuadratureRule;
}
/** Relative error < 0.2 % (the benchmarks' ground truth). */
export const EXACT_RULES: MetricRules = { skill: gaussHermiteNormal(10), lost: gaussLegendre01(16) };

/**
 * E[progress · 1{lost}] over the damage luck: ∫ H0 / (D(u) − healing) du for u from Φ(t) to 1
 * (Gauss-Legendre in u; relative error < 0.2 % against a 40 × 80-point reference).
 */
function lostProgress(run: RunShape, pWin: number, rule: QuadratureRule): number {
  const width = 1 - pWin;
  if (width < 1e-12) return 0;
  let sum = 0;
  for (let i = 0; i < rule.nodes.length; i++) {
    // the upper tail via Φ⁻¹(1 − q) = −Φ⁻¹(q), which stays exact when 1 − q rounds to 1
    const damage = run.d0 * Math.exp(-run.sigma * normQuantile(width * rule.nodes[i]!));
    sum += rule.weights[i]! * Math.min(1, run.startHealth / (damage - run.healing));
  }
  return sum * width;
}

/** E[D · 1{D ≤ x}] for D ~ LogNormal(ln d0, σ²). */
function partialMean(run: RunShape, x: number): number {
  if (x <= 0) return 0;
  const t = Math.log(x / run.d0) / run.sigma;
  return run.d0 * Math.exp((run.sigma * run.sigma) / 2) * normCdf(t - run.sigma);
}
function probBelow(run: RunShape, x: number): number {
  return x <= 0 ? 0 : normCdf(Math.log(x / run.d0) / run.sigma);
}

/**
 * The exact expectation (over testers, skill, luck and measurement noise) of every metric. Deterministic.
 * Coarser `rules` trade accuracy for speed (the Bayes agent's search). With `only`, over those
 * testers alone (a segment of players), weighted by their shares; `population` is the testers who
 * play (the bots, or a typed population: typed-testers.ts).
 */
export function expectedMetrics(
  level: SampleLevel,
  params: ParamValues,
  variant: GameVariant = STANDARD,
  rules: MetricRules = EXACT_RULES,
  only?: readonly string[],
  population: readonly Tester[] = testers,
): Record<string, number> {
  const c = levelContext(level, params, variant);
  const who = only === undefined ? population : population.filter((t) => only.includes(t.name));
  if (who.length === 0) throw new Error(`crypt-run: none of the testers ${only?.join(', ')} plays in this population`);
  const total = who.reduce((s, t) => s + t.share, 0);
  let won = 0;
  let duration = 0;
  let damage = 0;
  let potions = 0;
  for (const t of who) {
    for (let k = 0; k < rules.skill.nodes.length; k++) {
      const w = (t.share / total) * rules.skill.weights[k]!;
      const run = runShape(c, t.skillMean + t.skillSd * rules.skill.nodes[k]!, t.style);
      const budget = run.startHealth + run.healing;
      const pWin = probBelow(run, budget);
      const lost = lostProgress(run, pWin, rules.lost);
      won += w * pWin;
      duration += w * run.fullTime * (pWin + lost);
      damage += w * (partialMean(run, budget) + run.startHealth * (1 - pWin) + run.healing * lost);
      let wonPotions = 0;
      if (run.healing > 0) {
        // share = (D − a)/healing between a and a + healing, 1 above it (up to the budget)
        const a = 0.5 * run.startHealth;
        const full = a + run.healing;
        const ramp = (partialMean(run, full) - partialMean(run, a) - a * (probBelow(run, full) - probBelow(run, a))) / run.healing;
        wonPotions = ramp + pWin - probBelow(run, full);
      }
      potions += w * run.potions * (wonPotions + lost);
    }
  }
  return { won, durationSec: duration, damageTaken: damage, potionsUsed: potions };
}
