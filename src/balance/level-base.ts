// The setting a level was built with, from its playtests: what a balance starts from and stays near.
import type { ParamValue, ParamValues, Playtest, Project } from '../project/types.js';

/**
 * The settings a level was built with: for each generation param the value most of its playtests
 * used (a missing param is its default); every other param at its default. With no playtests: defaults.
 */
export function levelBase(project: Project, playtests: readonly Playtest[]): ParamValues {
  const base: ParamValues = {};
  for (const p of project.params) {
    base[p.name] = p.group === 'generation' ? mostCommon(playtests.map((t) => t.params?.[p.name] ?? p.default), p.default) : p.default;
  }
  return base;
}

function mostCommon(values: readonly ParamValue[], fallback: ParamValue): ParamValue {
  const counts = new Map<ParamValue, number>();
  let best = fallback;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}
