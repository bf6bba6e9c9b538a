// Network inputs beyond the search space's unit cube. Pure: no tensors.
// - Rescaled params: game mechanics are mostly multiplicative, so a positive linear param also
//   enters on a log scale (and a log-scale param also linearly); the network then need not build
//   log(x) out of its activations to get a level's many products right.
// - The tester: who played a run explains much of its outcome (skill), and a context inferred from
//   two runs by experts must not read the level as easy. A playtest's tester enters one-hot;
//   predictions are for the corpus's tester population, the average over testers weighted by
//   their share of the corpus — "60 % of players win" is about that population.
import type { Param, Playtest, Project } from '../project/types.js';
import type { ParamSpace } from './param-space.js';

/** Saved in meta.json with the rest of the encoding. */
export interface InputCoding {
  /** project param indices that also enter on their other scale */
  rescaled: number[];
  /** tester vocabulary ('' = any other or unnamed tester); empty when the corpus has < 2 groups */
  testers: string[];
  /** each tester's share of the corpus playtests (sums to 1) */
  testerMix: number[];
}

export interface InputOptions {
  rescale: boolean;
  testers: boolean;
}

/** A tester needs this many playtests (and this share) to get its own input; at most MAX_TESTERS. */
const MIN_TESTER_PLAYTESTS = 20;
const MIN_TESTER_SHARE = 0.01;
const MAX_TESTERS = 12;

function rescalable(p: Param): boolean {
  return (p.type === 'float' || p.type === 'int') && p.max > p.min && p.min > 0;
}

export function fitInputs(project: Project, playtests: Iterable<Playtest>, opts: InputOptions): InputCoding {
  const rescaled = opts.rescale ? project.params.flatMap((p, i) => (rescalable(p) ? [i] : [])) : [];
  if (!opts.testers) return { rescaled, testers: [], testerMix: [] };
  const counts = new Map<string, number>();
  let total = 0;
  for (const pt of playtests) {
    counts.set(pt.tester ?? '', (counts.get(pt.tester ?? '') ?? 0) + 1);
    total++;
  }
  if (total === 0) return { rescaled, testers: [], testerMix: [] };
  const floor = Math.max(MIN_TESTER_PLAYTESTS, MIN_TESTER_SHARE * total);
  const named = [...counts]
    .filter(([name, n]) => name !== '' && n >= floor)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_TESTERS)
    .map(([name]) => name);
  const other = total - named.reduce((s, name) => s + counts.get(name)!, 0);
  const testers = other > 0 ? [...named, ''] : named;
  if (testers.length < 2) return { rescaled, testers: [], testerMix: [] };
  const share = (name: string): number => (name === '' ? other : counts.get(name)!) / total;
  return { rescaled, testers, testerMix: testers.map(share) };
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
}

export function inputLayout(space: ParamSpace, params: readonly Param[], coding: InputCoding | undefined): InputLayout {
  const alt = (coding?.rescaled ?? []).map((i) => ({ at: space.offsets[i]!, param: params[i] as Param & { type: 'float' | 'int' } }));
  const testers = coding?.testers ?? [];
  const base = space.dim;
  return { base, width: base + alt.length + testers.length, alt, testerAt: base + alt.length, testers, mix: coding?.testerMix ?? [] };
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

/** The tester column of a playtest: its own, else the rare-or-unnamed group's, else -1 (unknown). */
export function testerIndex(lay: InputLayout, tester: string | undefined): number {
  const k = lay.testers.indexOf(tester ?? '');
  return k >= 0 ? k : lay.testers.indexOf('');
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
