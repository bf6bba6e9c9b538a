// A corpus as per-level arrays the trainers and adaptation batch from (encoded once).
import type { Level, Playtest, Project } from '../project/types.js';
import { encodeFeatures, linkValue, type EncodingSpec } from './encoding.js';
import { playtestInputs, testerIndex, type InputLayout } from './inputs.js';
import type { OutputColumns } from './outputs.js';
import { clamp01, type ParamSpace } from './param-space.js';

export interface LevelRows {
  id: string;
  rows: number;
  /** network inputs [rows, P]: encoded params, rescaled params, tester */
  x: Float32Array;
  /** encoded features (values + missing flags) [F2] */
  feat: Float32Array;
  /** targets and observed flags [rows, M], internal metric order */
  y: Float32Array;
  obs: Float32Array;
}

export interface Encoder {
  project: Project;
  space: ParamSpace;
  spec: EncodingSpec;
  outputs: OutputColumns;
  inputs: InputLayout;
}

export function levelRows(enc: Encoder, level: Level, playtests: readonly Playtest[]): LevelRows {
  const rows = emptyRows(enc, level, playtests.length);
  playtests.forEach((pt, r) => writeRow(enc, rows, r, pt));
  return rows;
}

function emptyRows(enc: Encoder, level: Level, n: number): LevelRows {
  const P = enc.inputs.width;
  const M = enc.spec.metrics.length;
  return { id: level.id, rows: n, x: new Float32Array(n * P), feat: encodeFeatures(enc.spec, level), y: new Float32Array(n * M), obs: new Float32Array(n * M) };
}

/** Encodes a playtest into row `r` of a level's arrays. */
function writeRow(enc: Encoder, rows: LevelRows, r: number, pt: Playtest): void {
  rows.x.set(playtestInputs(enc.inputs, enc.space.encode(pt.params ?? {}), testerIndex(enc.inputs, pt.tester)), r * enc.inputs.width);
  encodeMetrics(enc.spec, enc.outputs, pt.metrics, rows.y, rows.obs, r * enc.spec.metrics.length);
}

/**
 * A playtest's targets in the heads' space, in the internal metric order (outputs.ts): per metric the
 * standardised linked value (or the 0..1 rate), and 1/0 in `observed` — a playtest that reports
 * only some metrics contributes only those likelihood terms.
 */
export function encodeMetrics(
  spec: EncodingSpec,
  outputs: OutputColumns,
  metrics: Record<string, number>,
  y: Float32Array,
  observed: Float32Array,
  at = 0,
): void {
  outputs.order.forEach((j, k) => {
    const m = spec.metrics[j]!;
    const v = metrics[m.name];
    const ok = typeof v === 'number' && Number.isFinite(v) && (m.link !== 'log' || v > 0);
    observed[at + k] = ok ? 1 : 0;
    y[at + k] = !ok ? 0 : m.link === 'bernoulli' ? clamp01(v) : (linkValue(m.link, v) - m.center) / m.scale;
  });
}

/** Rows [from, to) of a level as a new LevelRows (used to split adapt / score playtests). */
export function sliceRows(l: LevelRows, from: number, to: number, P: number, M: number): LevelRows {
  return {
    id: l.id,
    rows: to - from,
    x: l.x.subarray(from * P, to * P),
    feat: l.feat,
    y: l.y.subarray(from * M, to * M),
    obs: l.obs.subarray(from * M, to * M),
  };
}

/**
 * Every level's rows, in two passes over the playtests (count, then encode in place), so a corpus
 * whose playtests are rebuilt as they are iterated is never held as objects all at once.
 */
export function corpusRows(enc: Encoder, levels: readonly Level[], playtests: Iterable<Playtest>): LevelRows[] {
  const counts = new Map<string, number>();
  for (const pt of playtests) counts.set(pt.levelId, (counts.get(pt.levelId) ?? 0) + 1);
  const byLevel = new Map(levels.map((l) => [l.id, { rows: emptyRows(enc, l, counts.get(l.id) ?? 0), next: 0 }]));
  for (const pt of playtests) {
    const level = byLevel.get(pt.levelId);
    if (level) writeRow(enc, level.rows, level.next++, pt);
  }
  return levels.map((l) => byLevel.get(l.id)!.rows);
}
