// A seeded corpus of crypt-run levels and bot playtests, shaped like a studio's history: many past
// levels, each playtested at many settings a designer tried, and new levels with a few playtests at
// (or near) the defaults. Every level draws from its own stream (forked by id), so changing how many
// playtests a level gets never changes the levels themselves.
import type { Level, NumericParam, ParamValues, Playtest, Project } from '../../src/project/types.js';
import { parseProject, resolveParams } from '../../src/project/validate.js';
import { Rng } from '../../src/util/rng.js';
import { fromUnit, isNumeric, toUnit } from './param-scale.js';
import { makeLevel, projectFile, simulatePlaytest, testers as bots, variants, type GameVariant, type SampleLevel, type Tester } from './game.js';
import { typedPopulation } from './typed-testers.js';

export interface SampleCorpus {
  project: Project;
  levels: Level[];
  playtests: Playtest[];
  /** the simulator's view of every level: all features and the hidden factors */
  truth: Map<string, SampleLevel>;
  pastLevelIds: string[];
  newLevelIds: string[];
  /** who played: the three bots, or the typed testers with their hidden types */
  population: readonly Tester[];
}

export interface CorpusOptions {
  seed: number;
  pastLevels?: number;
  /** index of the first past level (its id is L{firstPast + 1}): a large corpus is generated in slices */
  firstPast?: number;
  playtestsPerPast?: number;
  newLevels?: number;
  playtestsPerNew?: number;
  variant?: GameVariant;
  /**
   * 'bots' (default): three skill levels, no segments. 'typed': named testers of five hidden types
   * (typed-testers.ts, seeded by `seed`) and a project declaring a segment per type for a part of them.
   */
  testers?: 'bots' | 'typed';
}

/** The training set of a benchmark or test: the past levels and their playtests (the new ones held out). */
export function pastCorpus(c: SampleCorpus): Pick<SampleCorpus, 'project' | 'levels' | 'playtests'> {
  const past = new Set(c.pastLevelIds);
  return { project: c.project, levels: c.levels.filter((l) => past.has(l.id)), playtests: c.playtests.filter((p) => past.has(p.levelId)) };
}

/** Share of level records that leave out one feature (the model must impute it). */
const MISSING_FEATURE_SHARE = 0.04;
/** A past level's playtests come in sessions: one setting, played by this many bots. */
const BOTS_PER_SETTING = 3;
const PAST_START = Date.UTC(2026, 2, 2, 9, 0, 0);
const NEW_START = Date.UTC(2026, 10, 2, 9, 0, 0);
const MINUTE = 60_000;

/** The value at unit position u, rounded the way a designer's tool would record it. */
function recordedAt(p: NumericParam, u: number): number {
  const v = fromUnit(p, u);
  return p.type === 'int' ? v : Math.min(p.max, Math.max(p.min, Number(v.toPrecision(3))));
}

/** Near the default (a small step in the param's own scale); `spread` is in unit-cube widths. */
function nudge(p: NumericParam, rng: Rng, spread: number): number {
  return recordedAt(p, toUnit(p, p.default) + spread * rng.normal());
}

/**
 * A setting a designer tried on a past level: each balance param stays at its default, is nudged,
 * or is set anywhere in its range; the generation params change in some sessions only.
 */
function designerSetting(project: Project, rng: Rng): ParamValues {
  if (rng.next() < 0.15) return resolveParams(project);
  const changeGeneration = rng.next() < 0.3;
  const out: ParamValues = {};
  for (const p of project.params) {
    const roll = rng.next();
    if ((p.group === 'generation' && !changeGeneration) || roll < 0.3) out[p.name] = p.default;
    else if (isNumeric(p)) out[p.name] = roll < 0.65 ? nudge(p, rng, 0.2) : recordedAt(p, rng.next());
    else if (p.type === 'choice') out[p.name] = rng.pick(p.choices);
    else out[p.name] = rng.next() < 0.5;
  }
  return out;
}

/** A new level's setting: the defaults, with the numeric balance params sometimes nudged a little. */
function nearDefaultSetting(project: Project, rng: Rng, nudged: boolean): ParamValues {
  const out = resolveParams(project);
  if (!nudged) return out;
  for (const p of project.params) if (p.group === 'balance' && isNumeric(p)) out[p.name] = nudge(p, rng, 0.06);
  return out;
}

/** The level record as a designer's export would write it: now and then one feature is missing. */
function levelRecord(level: SampleLevel, rng: Rng): Level {
  const features = { ...level.features };
  if (rng.next() < MISSING_FEATURE_SHARE) delete features[rng.pick(Object.keys(features))];
  return { id: level.id, features };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function generateCorpus(opts: CorpusOptions): SampleCorpus {
  const { seed, pastLevels = 200, firstPast = 0, playtestsPerPast = 30, newLevels = 20, playtestsPerNew = 5, variant = variants[0]! } = opts;
  const typed = opts.testers === 'typed' ? typedPopulation(seed) : null;
  const project = parseProject(typed ? { ...projectFile, segments: typed.segments } : projectFile);
  const population = typed?.testers ?? bots;
  const root = new Rng(seed);
  const corpus: SampleCorpus = { project, levels: [], playtests: [], truth: new Map(), pastLevelIds: [], newLevelIds: [], population };

  const addLevel = (id: string, settings: (rng: Rng, index: number) => ParamValues, count: number, at: (index: number) => number): void => {
    const rng = root.fork(`level:${id}`);
    const level = makeLevel(rng.fork('layout'), id, variant);
    corpus.truth.set(id, level);
    corpus.levels.push(levelRecord(level, rng.fork('record')));
    const settingRng = rng.fork('settings');
    const playRng = rng.fork('play');
    for (let i = 0; i < count; i++) {
      const params = settings(settingRng, i);
      const { metrics, tester } = simulatePlaytest(level, params, playRng, variant, population);
      corpus.playtests.push({ id: `pt-${id}-${pad(i + 1, 2)}`, levelId: id, params, metrics, tester, at: iso(at(i)) });
    }
  };

  for (let k = firstPast; k < firstPast + pastLevels; k++) {
    const id = `L${pad(k + 1, 3)}`;
    corpus.pastLevelIds.push(id);
    let current: ParamValues = {};
    addLevel(
      id,
      (rng, i) => (i % BOTS_PER_SETTING === 0 ? (current = designerSetting(project, rng)) : current),
      playtestsPerPast,
      (i) => PAST_START + k * 1440 * MINUTE + Math.floor(i / BOTS_PER_SETTING) * 25 * MINUTE + (i % BOTS_PER_SETTING) * 7 * MINUTE,
    );
  }
  for (let k = 0; k < newLevels; k++) {
    const id = `N${pad(k + 1, 3)}`;
    corpus.newLevelIds.push(id);
    addLevel(id, (rng, i) => nearDefaultSetting(project, rng, i >= 3), playtestsPerNew, (i) => NEW_START + k * 720 * MINUTE + i * 9 * MINUTE);
  }
  return corpus;
}
