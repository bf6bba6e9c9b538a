// Network inputs beyond the search space's unit cube. Pure: no tensors.
// - Rescaled params: game mechanics are mostly multiplicative, so a positive linear param also
//   enters on a log scale (and a log-scale param also linearly); the network then need not build
//   log(x) out of its activations to get a level's many products right.
// - The tester: who played a run explains much of its outcome (skill), and a context inferred from
//   two runs by experts must not read the level as easy. A playtest's tester enters one-hot;
//   predictions are for the corpus's tester population, the average over testers weighted by
//   their share of the corpus — "60 % of players win" is about that population. Testers too rare
//   for a column of their own share one: their declared segment's if the project maps them to one
//   (so a segment of many occasional testers still has a column to predict it by), else the rest's.
import type { Param, Playtest, Project } from '../project/types.js';
import type { ParamSpace } from './param-space.js';

/** Saved in meta.json with the rest of the encoding. */
export interface InputCoding {
  /** project param indices that also enter on their other scale */
  rescaled: number[];
  /**
   * tester columns: a tester's own id, `@SEGMENT` for the testers of a declared segment too rare for
   * their own, '' for any other or unnamed tester; empty when the corpus has < 2 groups
   */
  testers: string[];
  /** each column's share of the corpus playtests (sums to 1) */
  testerMix: number[];
  /** the `@SEGMENT` column of each tester pooled into one (absent in model files that predate it) */
  pooled?: Record<string, string>;
}

export interface InputOptions {
  rescale: boolean;
  testers: boolean;
}

/**
 * A tester needs this many playtests (and this share) to get its own input; at most MAX_TESTERS.
 * An id starting with '@' never gets one, so a tester cannot be mistaken for a segment's column.
 */
const MIN_TESTER_PLAYTESTS = 20;
const MIN_TESTER_SHARE = 0.01;
const MAX_TESTERS = 12;

function rescalable(p: Param): boolean {
  return (p.type === 'float' || p.type === 'int') && p.max > p.min && p.min > 0;
}

export function fitInputs(project: Project, playtests: Iterable<Playtest>, opts: InputOptions): InputCoding {
  const rescaled = opts.rescale ? project.params.flatMap((p, i) => (rescalable(p) ? [i] : [])) : [];
  const none: InputCoding = { rescaled, testers: [], testerMix: [] };
  if (!opts.testers) return none;
  const counts = new Map<string, number>();
  let total = 0;
  for (const pt of playtests) {
    counts.set(pt.tester ?? '', (counts.get(pt.tester ?? '') ?? 0) + 1);
    total++;
  }
  if (total === 0) return none;
  const floor = Math.max(MIN_TESTER_PLAYTESTS, MIN_TESTER_SHARE * total);
  const named = [...counts]
    .filter(([name, n]) => name !== '' && !name.startsWith('@') && n >= floor)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_TESTERS)
    .map(([name]) => name);
  const own = new Set(named);
  const columnOf = new Map(project.segments.flatMap((g) => g.testers.map((t): [string, string] => [t, segmentColumn(g.name)])));
  const pooled = new Map<string, string>();
  const share = new Map(named.map((name) => [name, counts.get(name)!]));
  for (const [name, n] of counts) {
    if (own.has(name)) continue;
    const column = columnOf.get(name) ?? '';
    if (column !== '') pooled.set(name, column);
    share.set(column, (share.get(column) ?? 0) + n);
  }
  const columns = [...new Set(columnOf.values())].filter((c) => share.has(c));
  const testers = [...named, ...columns, ...(share.has('') ? [''] : [])];
  if (testers.length < 2) return none;
  return { rescaled, testers, testerMix: testers.map((t) => share.get(t)! / total), ...(pooled.size > 0 ? { pooled: Object.fromEntries(pooled) } : {}) };
}

/** The input column of a segment's testers too rare for one of their own. */
export function segmentColumn(segment: string): string {
  return `@${segment}`;
}

/** The tester columns that are one tester's own (not a segment's pool, not the rest's). */
export function ownColumns(testers: readonly string[]): string[] {
  return testers.filter((t) => t !== '' && !t.startsWith('@'));
}

/** How a unit-cube row becomes a network input row. */
export interface InputLayout {
  /** search-space width */
  base: number;
  /** network input width */
  width: number;
  /** per rescaled param: its unit-cube column and the param */
  alt: { at: number; param: Param & { type: 'float' | 'int' } }[];
  /** first tester column; the tester vocabulary and its population shares (empty: no tester inputs) */
  testerAt: number;
  testers: string[];
  mix: number[];
  /** a pooled tester's segment column label (a Map: a tester id may be any string, "constructor" too) */
  pooled: ReadonlyMap<string, string>;
}

export function inputLayout(space: ParamSpace, params: readonly Param[], coding: InputCoding | undefined): InputLayout {
  const alt = (coding?.rescaled ?? []).map((i) => ({ at: space.offsets[i]!, param: params[i] as Param & { type: 'float' | 'int' } }));
  const testers = coding?.testers ?? [];
  const base = space.dim;
  return { base, width: base + alt.length + testers.length, alt, testerAt: base + alt.length, testers, mix: coding?.testerMix ?? [], pooled: new Map(Object.entries(coding?.pooled ?? {})) };
}

/** A unit-cube value of `p` on its other scale, also in [0, 1]. */
function otherScale(p: Param & { type: 'float' | 'int' }, u: number): number {
  const { min, max } = p;
  if (p.scale === 'log') return (min * Math.pow(max / min, u) - min) / (max - min);
  return Math.log((min + u * (max - min)) / min) / Math.log(max / min);
}

/**
 * Writes one network input row at out[at…]: the unit-cube row, its rescaled params, the tester
 * one-hot — or, for a tester the model does not know (-1), the population mix: its expected one-hot.
 */
function writeRow(lay: InputLayout, x: ArrayLike<number>, from: number, tester: number, out: Float32Array, at: number): void {
  for (let k = 0; k < lay.base; k++) out[at + k] = x[from + k]!;
  lay.alt.forEach((a, k) => (out[at + lay.base + k] = otherScale(a.param, x[from + a.at]!)));
  if (tester >= 0) out[at + lay.testerAt + tester] = 1;
  else lay.mix.forEach((w, t) => (out[at + lay.testerAt + t] = w));
}

/** The tester column of a playtest: its own, else its segment's, else the rare-or-unnamed group's, else -1 (unknown). */
export function testerIndex(lay: InputLayout, tester: string | undefined): number {
  if (tester === undefined) return lay.testers.indexOf('');
  const own = tester.startsWith('@') ? -1 : lay.testers.indexOf(tester);
  return own >= 0 ? own : lay.testers.indexOf(lay.pooled.get(tester) ?? '');
}

/** One playtest's network input row. */
export function playtestInputs(lay: InputLayout, x: Float32Array, tester: number): Float32Array {
  const out = new Float32Array(lay.width);
  writeRow(lay, x, 0, tester, out, 0);
  return out;
}

/**
 * Candidate settings [n, base] → network rows [n · T, width], one per setting and tester
 * (T = max(1, testers)), to be averaged with `lay.mix` weights.
 */
export function populationInputs(lay: InputLayout, x: Float32Array, n: number): Float32Array {
  const T = Math.max(1, lay.testers.length);
  const out = new Float32Array(n * T * lay.width);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) writeRow(lay, x, i * lay.base, lay.testers.length > 0 ? t : -1, out, (i * T + t) * lay.width);
  }
  return out;
}

/** The population weights of populationInputs' rows per setting. */
export function populationWeights(lay: InputLayout): number[] {
  return lay.testers.length > 0 ? lay.mix : [1];
}
