// Small real corpora for the model tests: the sample game's simulator, shrunk so training is quick.
import { generateCorpus, type SampleCorpus } from '../../samples/crypt-run/corpus.js';

export function smallCorpus(seed = 3, pastLevels = 16, playtestsPerPast = 12): SampleCorpus {
  return generateCorpus({ seed, pastLevels, playtestsPerPast, newLevels: 2, playtestsPerNew: 4 });
}

export function gridX(dim: number, n: number): Float32Array {
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 101) / 100;
  return x;
}
