// The moves a search may make in the ParamSpace: which params move, which unit-cube dims they own,
// and how a raw point of the cube becomes a legal setting (ints snapped, choices argmax'd,
// non-moving params restored). The dims are found by probing the ParamSpace's encoder, so the
// search never re-derives how params map to dims.
import type { ParamSpace } from '../model/param-space.js';
import type { Param, ParamValue, ParamValues, Project } from '../project/types.js';

export interface MoveOptions {
  allowGeneration?: boolean;
  locked?: readonly string[];
  /** params pinned at these values (never move) */
  fixed?: Partial<ParamValues>;
  /** values the non-moving params keep (default: each param's default), e.g. a level's generation settings */
  base?: Partial<ParamValues>;
}

/** A search's moves: the ParamSpace, the base setting and the params and dims that move. */
export interface Moves {
  space: ParamSpace;
  params: Param[];
  /** the complete setting non-moving params are taken from */
  base: ParamValues;
  baseX: Float32Array;
  /** per param: does it move */
  moving: boolean[];
  /** per param: the cube dims it owns */
  dimsOf: number[][];
  /** per dim: does it move */
  movingDims: boolean[];
  movingDimIndex: number[];
}

export function movesOf(project: Project, space: ParamSpace, opts: MoveOptions = {}): Moves {
  const locked = new Set(opts.locked ?? []);
  for (const name of locked) {
    if (!project.params.some((p) => p.name === name)) throw new Error(`cannot lock unknown param "${name}"`);
  }
  const base: ParamValues = {};
  for (const p of project.params) base[p.name] = opts.fixed?.[p.name] ?? opts.base?.[p.name] ?? p.default;
  const moving = project.params.map(
    (p) =>
      !p.locked &&
      !locked.has(p.name) &&
      opts.fixed?.[p.name] === undefined &&
      (p.group === 'balance' || opts.allowGeneration === true),
  );
  const baseX = space.encode(base);
  const dimsOf = project.params.map((p) => paramDims(space, base, baseX, p));
  const movingDims = new Array<boolean>(space.dim).fill(false);
  dimsOf.forEach((ds, i) => {
    if (moving[i]) for (const d of ds) movingDims[d] = true;
  });
  const movingDimIndex = movingDims.flatMap((m, d) => (m ? [d] : []));
  return { space, params: project.params, base, baseX, moving, dimsOf, movingDims, movingDimIndex };
}

/** The dims of the cube that change when `p` takes each of its extreme or alternative values. */
function paramDims(space: ParamSpace, base: ParamValues, baseX: Float32Array, p: Param): number[] {
  const dims = new Set<number>();
  for (const v of alternatives(p)) {
    const x = space.encode({ ...base, [p.name]: v });
    for (let d = 0; d < x.length; d++) if (Math.abs(x[d]! - baseX[d]!) > 1e-9) dims.add(d);
  }
  return [...dims];
}

function alternatives(p: Param): ParamValue[] {
  switch (p.type) {
    case 'bool':
      return [true, false];
    case 'choice':
      return p.choices;
    default:
      return [p.min, p.max];
  }
}

/**
 * Raw cube point → legal setting and its encoding: decode (clamp, snap ints, argmax choices),
 * restore every non-moving param to its base value, encode again.
 */
export function snap(moves: Moves, raw: ArrayLike<number>): { values: ParamValues; x: Float32Array } {
  const decoded = moves.space.decode(raw);
  const values: ParamValues = {};
  moves.params.forEach((p, i) => {
    values[p.name] = moves.moving[i] ? decoded[p.name]! : moves.base[p.name]!;
  });
  return { values, x: moves.space.encode(values) };
}
