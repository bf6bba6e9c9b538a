// The sample corpus with every level's true hidden factors as features: what a network makes of
// the corpus when nothing about a level is left to infer (a bench ceiling, not a product configuration).
import type { SampleCorpus } from '../../samples/crypt-run/corpus.js';

export function withKnownFactors(c: SampleCorpus): SampleCorpus {
  const names = Object.keys(c.truth.values().next().value!.hidden);
  const feature = (h: string): string => `hidden_${h}`;
  return {
    ...c,
    project: { ...c.project, features: [...c.project.features, ...names.map((h) => ({ name: feature(h), description: `log of the hidden ${h} (the simulator's truth)` }))] },
    levels: c.levels.map((l) => ({ ...l, features: { ...l.features, ...Object.fromEntries(names.map((h) => [feature(h), Math.log(c.truth.get(l.id)!.hidden[h]!)])) } })),
  };
}
