// The moment kernel the predictor integrates every head row with, against the integrals it stands
// for: E and Var of g(center + scale·(mu + sd·ε)), ε ~ N(0, 1), by quadrature for each link, and
// the outcome mixture for conditioned metrics — with raw log-sds inside and far outside the bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EncodingSpec, MetricCoding } from '../../src/model/encoding.js';
import { expectedFromHeads, momentPlan, sigmoid, softLogSd } from '../../src/model/heads.js';
import { outputColumns } from '../../src/model/outputs.js';

const metric = (name: string, link: MetricCoding['link'], conditionedOn: number, center = 0, scale = 1): MetricCoding => ({
  name,
  kind: link === 'bernoulli' ? 'rate' : 'continuous',
  link,
  center,
  scale,
  conditionedOn,
});

// won (the outcome), a conditioned log metric, an unconditioned identity metric, a log1p count
const spec: EncodingSpec = {
  version: 1,
  features: [],
  metrics: [metric('won', 'bernoulli', -1), metric('duration', 'log', 0, 5.5, 0.4), metric('score', 'identity', -1, 100, 20), metric('potions', 'log1p', -1, 0.7, 0.5)],
  outcome: 0,
};

/** E and Var of g(center + scale·(mu + sd·ε)) by the trapezoid rule over ±12 sd. */
function quadrature(link: MetricCoding['link'], center: number, scale: number, mu: number, sd: number): [number, number] {
  const g = (v: number): number => (link === 'log' ? Math.exp(v) : link === 'log1p' ? Math.exp(v) - 1 : v);
  const steps = 20000;
  let m1 = 0;
  let m2 = 0;
  let w = 0;
  for (let i = 0; i <= steps; i++) {
    const e = -12 + (24 * i) / steps;
    const p = Math.exp(-0.5 * e * e) * (i === 0 || i === steps ? 0.5 : 1);
    const y = g(center + scale * (mu + sd * e));
    m1 += p * y;
    m2 += p * y * y;
    w += p;
  }
  return [m1 / w, m2 / w - (m1 / w) ** 2];
}

const close = (got: number, want: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);

test('the moment kernel matches quadrature for every link, outcome mixture and raw log-sd', () => {
  const outputs = outputColumns(spec);
  const plan = momentPlan(spec, outputs);
  for (const raw of [-40, -7, -2, 0, 0.8, 2.5, 40]) {
    for (const logit of [-1.5, 0.4]) {
      const heads = new Float32Array(outputs.width);
      heads[outputs.outcomePos] = logit;
      const mu = new Map<number, number>();
      outputs.metrics.forEach((c, k) => {
        const gs = c.kind === 'gaussian' ? [c.g] : c.kind === 'conditioned' ? [c.won, c.lost] : [];
        gs.forEach((g, b) => {
          heads[g.mu] = 0.25 * (k + 1) - 0.6 * b;
          heads[g.logSd] = raw;
          mu.set(g.mu, heads[g.mu]!);
        });
      });
      const mean = new Float32Array(4);
      const noise = new Float32Array(4);
      expectedFromHeads(plan, heads, 0, mean, noise);
      const withoutNoise = new Float32Array(4);
      expectedFromHeads(plan, heads, 0, withoutNoise, null);
      assert.deepEqual(withoutNoise, mean, 'the means do not depend on whether the noise is asked for');

      const sd = Math.exp(softLogSd(Math.fround(raw)));
      const p = sigmoid(Math.fround(logit));
      close(mean[0]!, p, 'rate mean');
      close(noise[0]!, p * (1 - p), 'rate variance');
      outputs.metrics.forEach((c, k) => {
        if (c.kind === 'rate') return;
        const j = outputs.order[k]!;
        const ms = spec.metrics[j]!;
        if (c.kind === 'gaussian') {
          const [m, v] = quadrature(ms.link, ms.center, ms.scale, mu.get(c.g.mu)!, sd);
          close(mean[j]!, m, `${ms.name} mean (raw ${raw})`);
          close(noise[j]!, v, `${ms.name} variance (raw ${raw})`);
          return;
        }
        const [mw, vw] = quadrature(ms.link, ms.center, ms.scale, mu.get(c.won.mu)!, sd);
        const [ml, vl] = quadrature(ms.link, ms.center, ms.scale, mu.get(c.lost.mu)!, sd);
        const m = p * mw + (1 - p) * ml;
        close(mean[j]!, m, `${ms.name} mean (raw ${raw}, logit ${logit})`);
        close(noise[j]!, p * (vw + mw * mw) + (1 - p) * (vl + ml * ml) - m * m, `${ms.name} variance (raw ${raw})`);
      });
    }
  }
});
