// How a corpus becomes numbers for the network. Pure: no tensors. (Params → the unit cube is
// param-space.ts; the extra per-playtest inputs are inputs.ts.)
// - level features → standardised with corpus statistics, a missing one imputed with the mean
//   (0 after standardising) and flagged by an extra input;
// - metrics → a link space: rate → probability (Bernoulli), count → log1p, positive continuous →
//   log, other continuous → identity; then standardised. Saved in meta.json so predictions are
//   reproducible anywhere.
import type { Level, MetricKind, Playtest, Project } from '../project/types.js';
import { Growable } from '../util/growable.js';
import { fitInputs, type InputCoding, type InputOptions } from './inputs.js';

/** How one metric is modelled. `link` maps an observation into the space the heads work in. */
export type MetricLink = 'bernoulli' | 'log' | 'log1p' | 'identity';
export interface MetricCoding {
  name: string;
  kind: MetricKind;
  link: MetricLink;
  /** standardisation of the linked value (unused for bernoulli) */
  center: number;
  scale: number;
  /** heads conditioned on the outcome metric (its index), or -1 */
  conditionedOn: number;
}
export interface FeatureCoding {
  name: string;
  mean: number;
  sd: number;
}
/** Everything needed to turn a level + playtest into network inputs and targets (JSON-safe). */
export interface EncodingSpec {
  version: 1;
  features: FeatureCoding[];
  metrics: MetricCoding[];
  /** index of the rate metric other heads are conditioned on (e.g. "won"), or -1 */
  outcome: number;
  /** extra network inputs (absent in models saved before they existed) */
  inputs?: InputCoding;
}

/** Mean and sd of the values `keep` accepts (all by default), in one order so the sums are reproducible. */
function meanSd(xs: ArrayLike<number>, keep: (x: number) => boolean = () => true): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep(xs[i]!)) {
      sum += xs[i]!;
      n++;
    }
  }
  if (n === 0) return { mean: 0, sd: 1 };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) if (keep(xs[i]!)) ss += (xs[i]! - mean) * (xs[i]! - mean);
  const sd = Math.sqrt(ss / n);
  return { mean, sd: sd > 1e-9 ? sd : 1 };
}

/** A rate is Bernoulli, a count Gaussian on log1p, a positive continuous metric Gaussian on log. */
function metricLink(kind: MetricKind, ys: Float64Array): MetricLink {
  if (kind === 'rate') return 'bernoulli';
  if (kind === 'count') return 'log1p';
  return ys.length > 0 && ys.every((y) => y > 0) ? 'log' : 'identity';
}

/** Link-space values further than this many robust sds (MAD × 1.4826) from the median are implausible. */
const PLAUSIBLE_SDS = 10;

/**
 * The range of link-space values a metric plausibly takes in a corpus: median ± PLAUSIBLE_SDS
 * robust sds. One duration typed in milliseconds, or a 1e300, would otherwise set the metric's
 * standardisation (and with it every level's predictions); outside the range a value is flagged and
 * left to the likelihood's gross-error term.
 */
export function plausibleRange(zs: Float64Array): { lo: number; hi: number } {
  if (zs.length < 5) return { lo: -Infinity, hi: Infinity };
  // A typed array sorts numerically in place, without boxing a million values for a comparator.
  const sorted = zs.slice().sort();
  const med = median(sorted);
  const mad = median(sorted.map((z) => Math.abs(z - med)).sort()) * 1.4826;
  if (!(mad > 0)) return { lo: -Infinity, hi: Infinity };
  return { lo: med - PLAUSIBLE_SDS * mad, hi: med + PLAUSIBLE_SDS * mad };
}

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : 0.5 * (sorted[m - 1]! + sorted[m]!);
}

/** Playtests whose value of some metric lies outside its plausible range: "id: metric value". */
export function implausibleValues(project: Project, playtests: Iterable<Playtest>): string[] {
  const ranges = plausibleRanges(project, playtests);
  const out: string[] = [];
  for (const p of playtests) {
    for (const range of ranges) {
      const v = metricValue(p, range.metric);
      if (v !== undefined && implausible(range, v)) out.push(`${p.id ?? `a playtest of ${p.levelId}`}: ${range.metric} ${v}`);
    }
  }
  return out;
}

/**
 * Each metric's finite values over the playtests, in one pass (the playtests may be rebuilt as they
 * are iterated), as typed arrays: a million values take 8 MB each.
 */
function metricValues(project: Project, playtests: Iterable<Playtest>): Map<string, Float64Array> {
  const lists = project.metrics.map((m) => ({ name: m.name, values: new Growable((n) => new Float64Array(n)), n: 0 }));
  for (const p of playtests) {
    for (const list of lists) {
      const v = p.metrics[list.name];
      if (typeof v === 'number' && Number.isFinite(v)) list.values.set(list.n++, v);
    }
  }
  return new Map(lists.map((l) => [l.name, l.values.data.subarray(0, l.n)]));
}

export interface Implausible {
  /** index into the candidates */
  index: number;
  metric: string;
  value: number;
  /** the reference playtests' median of that metric (absent when too few are stored to judge by) */
  typical?: number;
}

/**
 * Beyond this magnitude no game's metric is a measurement: integers stop being exact past 2^53, and
 * a value like 1e300 is a typo or an overflow whatever the corpus holds (even an empty one).
 */
const MAX_METRIC_MAGNITUDE = Number.MAX_SAFE_INTEGER;

/** Why a value was flagged, one line for an import warning or an RPC warning. */
export function implausibleMessage(o: Implausible): string {
  if (Math.abs(o.value) > MAX_METRIC_MAGNITUDE) return `${o.value} is larger than any game's metric (more than 2^53 in magnitude): a typo or an overflow?`;
  return `${o.value} is far outside what the stored playtests show (median ${o.typical}; more than ${PLAUSIBLE_SDS} robust sds away): a unit mistake?`;
}

/** A metric's plausible link-space range in a reference corpus, with its median for messages. */
export interface MetricRange {
  metric: string;
  link: MetricLink;
  lo: number;
  hi: number;
  typical?: number;
}

const metricValue = (r: unknown, name: string): number | undefined => {
  const v = (r as { metrics?: Record<string, unknown> } | null)?.metrics?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** The plausible range of every non-rate metric over the reference playtests (a server keeps it while the corpus is unchanged). */
export function plausibleRanges(project: Project, reference: Iterable<Playtest>): MetricRange[] {
  const values = metricValues(project, reference);
  return project.metrics.flatMap((m) => {
    if (m.kind === 'rate') return [];
    const ref = values.get(m.name)!;
    const link = metricLink(m.kind, ref);
    const { lo, hi } = plausibleRange(ref.map((v) => linkValue(link, v)));
    const typical = ref.length > 0 ? ref.slice().sort()[ref.length >> 1]! : undefined;
    return [{ metric: m.name, link, lo, hi, ...(typical !== undefined ? { typical } : {}) }];
  });
}

const implausible = ({ link, lo, hi }: MetricRange, v: number): boolean => {
  const z = link === 'log' && v <= 0 ? -Infinity : linkValue(link, v);
  return z < lo || z > hi || Math.abs(v) > MAX_METRIC_MAGNITUDE;
};

/**
 * The candidates' metric values outside their plausible ranges, or of a magnitude no game
 * produces. Candidates are unchecked records: only numeric metrics count.
 */
export function outsideRanges(ranges: readonly MetricRange[], candidates: readonly unknown[]): Implausible[] {
  const out: Implausible[] = [];
  for (const range of ranges) {
    const { metric, typical } = range;
    candidates.forEach((r, index) => {
      const v = metricValue(r, metric);
      if (v !== undefined && implausible(range, v)) out.push({ index, metric, value: v, ...(typical !== undefined ? { typical } : {}) });
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The candidates' implausible values judged against the reference playtests (e.g. an import against what is stored). */
export function outsideRange(project: Project, reference: Iterable<Playtest>, candidates: readonly unknown[]): Implausible[] {
  return outsideRanges(plausibleRanges(project, reference), candidates);
}

export function linkValue(link: MetricLink, y: number): number {
  switch (link) {
    case 'log':
      return Math.log(y);
    case 'log1p':
      return Math.log1p(Math.max(0, y));
    default:
      return y;
  }
}

/** Mean and sd of the link-space values inside their plausible range: a few gross errors must not set the standardisation. */
function plausibleMeanSd(zs: Float64Array): { mean: number; sd: number } {
  const { lo, hi } = plausibleRange(zs);
  return meanSd(zs, (z) => z >= lo && z <= hi);
}

/** Fit the feature and metric codings to a corpus (the statistics are saved with the model). */
export function fitEncoding(
  project: Project,
  levels: readonly Level[],
  playtests: Iterable<Playtest>,
  inputs: InputOptions = { rescale: false, testers: false },
): EncodingSpec {
  const features = project.features.map((f) => {
    const xs = levels.map((l) => l.features[f.name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return { name: f.name, ...meanSd(xs) };
  });
  const outcome = project.metrics.findIndex((m) => m.kind === 'rate');
  const values = metricValues(project, playtests);
  const metrics = project.metrics.map((m, i): MetricCoding => {
    const ys = values.get(m.name)!;
    const link = metricLink(m.kind, ys);
    const stats = link === 'bernoulli' ? { mean: 0, sd: 1 } : plausibleMeanSd(ys.map((y) => linkValue(link, y)));
    return {
      name: m.name,
      kind: m.kind,
      link,
      center: stats.mean,
      scale: stats.sd,
      conditionedOn: link !== 'bernoulli' && outcome >= 0 && outcome !== i ? outcome : -1,
    };
  });
  return { version: 1, features, metrics, outcome, inputs: fitInputs(project, playtests, inputs) };
}

/** Network input width for the level features: standardised values + missing flags. */
export function featureWidth(spec: EncodingSpec): number {
  return 2 * spec.features.length;
}

export function encodeFeatures(spec: EncodingSpec, level: Level): Float32Array {
  const n = spec.features.length;
  const out = new Float32Array(2 * n);
  spec.features.forEach((f, i) => {
    const v = level.features[f.name];
    if (typeof v === 'number' && Number.isFinite(v)) out[i] = (v - f.mean) / f.sd;
    else out[n + i] = 1;
  });
  return out;
}
