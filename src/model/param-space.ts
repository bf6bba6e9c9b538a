// The params' unit cube, the one space the network reads settings in and the search moves in:
// float and int params on [0, 1] (linear or log scale), bools 0/1, choices one-hot. Pure.
import type { Param, ParamValues, Project } from '../project/types.js';

export interface ParamSpace {
  readonly dim: number;
  readonly names: string[];
  /** per project param, its first dim in the cube */
  readonly offsets: readonly number[];
  encode(values: ParamValues): Float32Array;
  decode(x: ArrayLike<number>): ParamValues;
}

export const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

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
