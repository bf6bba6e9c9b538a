// Fixed standard normals, the same on every call, so that adaptation and prediction are
// deterministic: a level's draws depend on its data, never on how often it was asked about.
import { Rng } from '../util/rng.js';

const cache = new Map<string, Float64Array>();

/** n × Z standard normals for `label` (cached). */
export function baseNormals(n: number, Z: number, label: string): Float64Array {
  const key = `${label}:${n}:${Z}`;
  let u = cache.get(key);
  if (!u) {
    const rng = new Rng(0x5eed).fork(key);
    u = new Float64Array(n * Z);
    for (let i = 0; i < u.length; i++) u[i] = rng.normal();
    cache.set(key, u);
  }
  return u;
}
