// Do predictions converge to a level's own data? A new level is played K = 2 … 100 times, round-
// robin over four settings (its defaults and three random ones); after the first K playtests the
// model predicts the expected metrics at the settings those K played, and the error against the
// simulator's truth there is measured in tolerances. It should fall towards 0 as K grows.
import { levelBase } from '../src/balance/index.js';
import type { BalancingService } from '../src/balance/service.js';
import type { Level, ParamValues } from '../src/project/types.js';
import { Rng } from '../src/util/rng.js';
import { botPlaytests, type SampleLevel } from '../samples/crypt-run/game.js';
import { randomSettings, type Judge } from './support/judge.js';

export const CURVE_METHODS = ['metabalance', 'pooled + offsets'] as const;
export type CurveMethod = (typeof CURVE_METHODS)[number];

export interface CurvePoint {
  k: number;
  method: CurveMethod;
  /** per target's metric: mean |predicted − true| expected metric over the played settings, in tolerances */
  error: Record<string, number>;
}

const SETTINGS = 4;

export function errorCurve(
  ctx: { meta: BalancingService; offsets: BalancingService; judge: Judge; seed: number },
  ks: readonly number[],
  level: Level,
  truth: SampleLevel,
): CurvePoint[] {
  const { meta, offsets, judge, seed } = ctx;
  const base = levelBase(meta.model.project, []);
  const settings: ParamValues[] = [base, ...randomSettings(meta.model, base, SETTINGS - 1, new Rng(seed).fork(`curve-settings-${level.id}`))];
  const order = Array.from({ length: Math.max(...ks) }, (_, i) => settings[i % SETTINGS]!);
  const playtests = botPlaytests(truth, level.id, order, new Rng(seed).fork(`curve-play-${level.id}`), judge.variant);
  const truths = settings.map((s) => judge.truth(truth, s));
  const services: Record<CurveMethod, BalancingService> = { metabalance: meta, 'pooled + offsets': offsets };
  return ks.flatMap((k) =>
    CURVE_METHODS.map((name) => {
      const service = services[name];
      const played = Math.min(k, SETTINGS);
      return service.withPredictor({ level, playtests: playtests.slice(0, k) }, (predictor) => {
        const dim = service.model.space.dim;
        const x = new Float32Array(played * dim);
        for (let i = 0; i < played; i++) x.set(service.model.space.encode(settings[i]!), i * dim);
        const { mode } = predictor.predict(x, played);
        const M = predictor.metrics.length;
        const error: Record<string, number> = {};
        for (const t of judge.terms) {
          let sum = 0;
          for (let i = 0; i < played; i++) sum += Math.abs(mode[i * M + t.index]! - truths[i]![t.index]!) / t.tolerance;
          error[t.metric] = sum / played;
        }
        return { k, method: name, error };
      });
    }),
  );
}
