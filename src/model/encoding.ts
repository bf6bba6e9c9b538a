// How projects become numbers for the network, and back. Pure: no tensors.
// - params → the unit cube (linear or log scale; ints as numbers; bools 0/1; choices one-hot);
// - level features → standardised with corpus statistics, a missing one imputed with the mean
//   (0 after standardising) and flagged by an extra input;
// - metrics → a link space: rate → probability (Bernoulli), count → log1p, positive continuous →
//   log, other continuous → identity; then standardised. Saved in meta.json so predictions are
//   reproducible anywhere.
import type { Level, MetricKind, Param, ParamValues, Playtest, Project } from '../project/types.js';
import { fitInputs, type InputCoding, type InputOptions } from './inputs.js';

export interface ParamSpace {
  readonly dim: number;
  readonly names: string[];
  /** per project param, its first dim in the cube */
  readonly offsets: readonly number[];
  encode(values: ParamValues): Float32Array;
  decode(x: ArrayLike<number>): ParamValues;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

function paramWidth(p: Param): number {
  return p.type === 'choice' ? p.choices.length : 1;
}

function toUnit(p: Param & { type: 'float' | 'int' }, v: number): number {
  if (p.max === p.min) return 0;
  if (p.scale === 'log') return clamp01(Math.log(v / p.min) / Math.log(p.max / p.min));
  return clamp01((v - p.min) / (p.max - p.min));
}

function fromUnit(p: Param & { type: 'float' | 'int' }, u: number): number {
  const c = clamp01(Number.isFinite(u) ? u : 0);
  let v = p.scale === 'log' ? p.min * Math.pow(p.max / p.min, c) : p.min + c * (p.max - p.min);
  if (p.type === 'int') v = Math.round(v);
  return Math.min(p.max, Math.max(p.min, v));
}

export function paramSpace(project: Project): ParamSpace {
  const params = project.params;
  const offsets: number[] = [];
  let dim = 0;
  for (const p of params) {
    offsets.push(dim);
    dim += paramWidth(p);
  }
  const names = params.flatMap((p) => (p.type === 'choice' ? p.choices.map((c) => `${p.name}=${c}`) : [p.name]));
  return {
    dim,
    names,
    offsets,
    encode(values: ParamValues): Float32Array {
      const x = new Float32Array(dim);
      params.forEach((p, i) => {
        const o = offsets[i]!;
        const v = values[p.name] ?? p.default;
        switch (p.type) {
          case 'bool':
            x[o] = v === true ? 1 : 0;
            break;
          case 'choice': {
            const k = p.choices.indexOf(String(v));
            x[o + (k < 0 ? p.choices.indexOf(p.default) : k)] = 1;
            break;
          }
          default:
            x[o] = toUnit(p, Number(v));
        }
      });
      return x;
    },
    decode(x: ArrayLike<number>): ParamValues {
      const out: ParamValues = {};
      params.forEach((p, i) => {
        const o = offsets[i]!;
        switch (p.type) {
          case 'bool':
            out[p.name] = (x[o] ?? 0) > 0.5;
            break;
          case 'choice': {
            let best = 0;
            for (let k = 1; k < p.choices.length; k++) if ((x[o + k] ?? 0) > (x[o + best] ?? 0)) best = k;
            out[p.name] = p.choices[best]!;
            break;
          }
          default:
            out[p.name] = fromUnit(p, x[o] ?? 0);
        }
      });
      return out;
    },
  };
}

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

function meanSd(xs: number[]): { mean: number; sd: number } {
  if (xs.length === 0) return { mean: 0, sd: 1 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / xs.length;
  const sd = Math.sqrt(v);
  return { mean, sd: sd > 1e-9 ? sd : 1 };
}

/** A rate is Bernoulli, a count Gaussian on log1p, a positive continuous metric Gaussian on log. */
function metricLink(kind: MetricKind, ys: readonly number[]): MetricLink {
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
export function plausibleRange(zs: readonly number[]): { lo: number; hi: number } {
  if (zs.length < 5) return { lo: -Infinity, hi: Infinity };
  const sorted = [...zs].sort((a, b) => a - b);
  const median = (xs: readonly number[]): number => {
    const m = xs.length >> 1;
    return xs.length % 2 ? xs[m]! : 0.5 * (xs[m - 1]! + xs[m]!);
  };
  const med = median(sorted);
  const mad = median(sorted.map((z) => Math.abs(z - med)).sort((a, b) => a - b)) * 1.4826;
  if (!(mad > 0)) return { lo: -Infinity, hi: Infinity };
  return { lo: med - PLAUSIBLE_SDS * mad, hi: med + PLAUSIBLE_SDS * mad };
}

/** Playtests whose value of some metric lies outside its plausible range: "id: metric value". */
export function implausibleValues(project: Project, playtests: readonly Playtest[]): string[] {
  return outsideRange(project, playtests, playtests).map(({ index, metric, value }) => {
    const p = playtests[index]!;
    return `${p.id ?? `a playtest of ${p.levelId}`}: ${metric} ${value}`;
  });
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
export function plausibleRanges(project: Project, reference: readonly Playtest[]): MetricRange[] {
  return project.metrics.flatMap((m) => {
    if (m.kind === 'rate') return [];
    const ref = reference.flatMap((p) => metricValue(p, m.name) ?? []);
    const link = metricLink(m.kind, ref);
    const { lo, hi } = plausibleRange(ref.map((v) => linkValue(link, v)));
    const typical = ref.length > 0 ? [...ref].sort((a, b) => a - b)[ref.length >> 1]! : undefined;
    return [{ metric: m.name, link, lo, hi, ...(typical !== undefined ? { typical } : {}) }];
  });
}

/**
 * The candidates' metric values outside their plausible ranges, or of a magnitude no game
 * produces. Candidates are unchecked records: only numeric metrics count.
 */
export function outsideRanges(ranges: readonly MetricRange[], candidates: readonly unknown[]): Implausible[] {
  const out: Implausible[] = [];
  for (const { metric, link, lo, hi, typical } of ranges) {
    candidates.forEach((r, index) => {
      const v = metricValue(r, metric);
      if (v === undefined) return;
      const z = link === 'log' && v <= 0 ? -Infinity : linkValue(link, v);
      if (z < lo || z > hi || Math.abs(v) > MAX_METRIC_MAGNITUDE) out.push({ index, metric, value: v, ...(typical !== undefined ? { typical } : {}) });
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The candidates' implausible values judged against the reference playtests (e.g. an import against what is stored). */
export function outsideRange(project: Project, reference: readonly Playtest[], candidates: readonly unknown[]): Implausible[] {
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

/** Fit the feature and metric codings to a corpus (the statistics are saved with the model). */
export function fitEncoding(
  project: Project,
  levels: readonly Level[],
  playtests: readonly Playtest[],
  inputs: InputOptions = { rescale: false, testers: false },
): EncodingSpec {
  const features = project.features.map((f) => {
    const xs = levels.map((l) => l.features[f.name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return { name: f.name, ...meanSd(xs) };
  });
  const outcome = project.metrics.findIndex((m) => m.kind === 'rate');
  const metrics = project.metrics.map((m, i): MetricCoding => {
    const ys = playtests.map((p) => p.metrics[m.name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const link = metricLink(m.kind, ys);
    const zs = ys.map((y) => linkValue(link, y));
    const range = plausibleRange(zs);
    const stats = link === 'bernoulli' ? { mean: 0, sd: 1 } : meanSd(zs.filter((z) => z >= range.lo && z <= range.hi));
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

/**
 * The heads' column layout. Metrics are regrouped internally as [rates | unconditioned Gaussians |
 * outcome-conditioned Gaussians] so every group is one contiguous slice of the output:
 * logits (nB) | mu (nU) | logSd (nU) | muWon (nC) | logSdWon (nC) | muLost (nC) | logSdLost (nC).
 */
export interface HeadLayout {
  /** internal position → project metric index */
  order: number[];
  /** project metric index → internal position */
  position: number[];
  nB: number;
  nU: number;
  nC: number;
  /** the outcome's position inside the rate group, or -1 */
  outcomePos: number;
  width: number;
}

export function headLayout(spec: EncodingSpec): HeadLayout {
  const idx = spec.metrics.map((_, j) => j);
  const bern = idx.filter((j) => spec.metrics[j]!.link === 'bernoulli');
  const uncond = idx.filter((j) => spec.metrics[j]!.link !== 'bernoulli' && spec.metrics[j]!.conditionedOn < 0);
  const cond = idx.filter((j) => spec.metrics[j]!.conditionedOn >= 0);
  const order = [...bern, ...uncond, ...cond];
  const position = new Array<number>(order.length);
  order.forEach((j, k) => (position[j] = k));
  return {
    order,
    position,
    nB: bern.length,
    nU: uncond.length,
    nC: cond.length,
    outcomePos: spec.outcome >= 0 ? bern.indexOf(spec.outcome) : -1,
    width: bern.length + 2 * uncond.length + 4 * cond.length,
  };
}

/**
 * A playtest's targets in the heads' space, in the layout's internal order: per metric the
 * standardised linked value (or the 0..1 rate), and 1/0 in `observed` — a playtest that reports
 * only some metrics contributes only those likelihood terms.
 */
export function encodeMetrics(
  spec: EncodingSpec,
  layout: HeadLayout,
  metrics: Record<string, number>,
  y: Float32Array,
  observed: Float32Array,
  at = 0,
): void {
  layout.order.forEach((j, k) => {
    const m = spec.metrics[j]!;
    const v = metrics[m.name];
    const ok = typeof v === 'number' && Number.isFinite(v) && (m.link !== 'log' || v > 0);
    observed[at + k] = ok ? 1 : 0;
    y[at + k] = !ok ? 0 : m.link === 'bernoulli' ? clamp01(v) : (linkValue(m.link, v) - m.center) / m.scale;
  });
}
