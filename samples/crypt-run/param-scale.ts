// A numeric param's position in its own scale (log or linear), as a fraction of its range: the
// designer's sampling and the oracle's search both move params in these units.
import type { NumericParam } from '../../src/project/types.js';

export function toUnit(p: NumericParam, v: number): number {
  return p.scale === 'log' ? Math.log(v / p.min) / Math.log(p.max / p.min) : (v - p.min) / (p.max - p.min);
}

/** The value at unit position u (clamped to the range; ints rounded). */
export function fromUnit(p: NumericParam, u: number): number {
  const c = Math.min(1, Math.max(0, u));
  const v = p.scale === 'log' ? p.min * Math.pow(p.max / p.min, c) : p.min + c * (p.max - p.min);
  return p.type === 'int' ? Math.round(v) : Math.min(p.max, Math.max(p.min, v));
}

export function isNumeric(p: { type: string }): p is NumericParam {
  return p.type === 'float' || p.type === 'int';
}
