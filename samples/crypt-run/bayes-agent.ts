// The Bayes-optimal balancer for crypt-run: the yardstick the benchmarks measure metabalance
// against. It knows the simulator's mechanics and the generator's priors, but not a level's hidden
// factors. From a level's record (its features) and K playtests it computes the exact posterior over
// the generator's latents — the simulator's own likelihood with tester skill, damage luck, run-time
// and measurement noise integrated — and balances by maximising the posterior probability that every
// target is met. Never part of the tool: it needs the game's source code.
//
// The posterior: the generator draws 5 layout latents g (each feature is a rounded, clamped function
// of one) and 4 normals n (the hidden factors mix them with g). A recorded feature confines its latent
// to an interval; mapping each latent through its truncated prior's CDF gives 9 coordinates η with a
// standard normal prior. Importance sampling in η from a heavy-tailed proposal centred on the
// posterior mode (its Laplace covariance, widened), with a defensive share of the prior; the draw
// count doubles until the effective sample size clears a floor, so the weights are never carried by
// a handful of particles.
import type { Level, ParamValues, Playtest, Project } from '../../src/project/types.js';
import { affine, cholesky, cholInverse, cholLogDet, forwardSolve } from '../../src/model/dense.js';
import { Rng } from '../../src/util/rng.js';
import {
  expectedMetrics,
  FEATURE_LATENTS,
  HIDDEN_FACTORS,
  hiddenFactors,
  LAYOUT_LATENTS,
  levelContext,
  OBS_SD,
  testers,
  TIME_SD,
  wonPotionShare,
  type GameVariant,
  type LevelContext,
  type MetricRules,
  type RunShape,
  type SampleLevel,
  runShape,
} from './game.js';
import { gaussHermiteNormal, gaussLegendre01, normCdf, normQuantile } from './math.js';
import { fromUnit, isNumeric, toUnit } from './param-scale.js';

const DIM = LAYOUT_LATENTS + HIDDEN_FACTORS;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SKILL = gaussHermiteNormal(12);
/** where a lost run ended (log progress), by importance quadrature around what its metrics say */
const ENDING = gaussHermiteNormal(20);
/** the search scores candidates with cheaper quadrature (checked against EXACT_RULES at the end) */
const SEARCH_RULES: MetricRules = { skill: gaussHermiteNormal(5), lost: gaussLegendre01(6) };

export interface AgentOptions {
  /** importance draws (default 1024; doubled until the effective sample size clears the floor) */
  particles?: number;
  /** effective sample size the draws must reach (default 200) */
  essFloor?: number;
  seed?: number;
}

export interface LevelPosterior {
  /** every particle as a simulator level (features completed, hidden factors set) */
  levels: SampleLevel[];
  /** normalised importance weights */
  weights: Float64Array;
  ess: number;
  rounds: number;
  /** posterior mean of each hidden factor's log */
  logHiddenMean: Record<string, number>;
  logHiddenSd: Record<string, number>;
}

/** The interval of a latent whose feature function gives `value` (the feature functions are non-decreasing). */
function latentInterval(value: (g: number) => number, v: number): [number, number] {
  const LIM = 9;
  const search = (pred: (g: number) => boolean): number => {
    let lo = -LIM;
    let hi = LIM;
    for (let i = 0; i < 60; i++) {
      const mid = 0.5 * (lo + hi);
      if (pred(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const lo = value(-LIM) >= v ? -Infinity : search((g) => value(g) >= v);
  const hi = value(LIM) <= v ? Infinity : search((g) => value(g) > v);
  // a value the generator cannot produce exactly: the crossing point, with a little room
  return lo < hi ? [lo, hi] : [lo - 1e-3, lo + 1e-3];
}

/** Per layout latent: its prior's CDF interval [Φ(lo), Φ(hi)] given the level record. */
function latentBounds(record: Level): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(LAYOUT_LATENTS).fill(0);
  const b = new Float64Array(LAYOUT_LATENTS).fill(1);
  for (const f of FEATURE_LATENTS) {
    const v = record.features[f.feature];
    if (typeof v !== 'number') continue;
    const [lo, hi] = latentInterval(f.value, v);
    a[f.latent] = lo === -Infinity ? 0 : normCdf(lo);
    b[f.latent] = hi === Infinity ? 1 : normCdf(hi);
  }
  return { a, b };
}

/** η → a full simulator level: layout latents through their truncated priors, recorded features kept. */
function levelAt(record: Level, bounds: { a: Float64Array; b: Float64Array }, eta: ArrayLike<number>, variant: GameVariant): SampleLevel {
  const g = new Float64Array(LAYOUT_LATENTS);
  for (let k = 0; k < LAYOUT_LATENTS; k++) {
    const p = bounds.a[k]! + (bounds.b[k]! - bounds.a[k]!) * normCdf(eta[k]!);
    g[k] = normQuantile(Math.min(1 - 1e-15, Math.max(1e-15, p)));
  }
  const n = Array.from({ length: HIDDEN_FACTORS }, (_, i) => eta[LAYOUT_LATENTS + i]!);
  const features: Record<string, number> = { ...record.features } as Record<string, number>;
  for (const f of FEATURE_LATENTS) if (typeof features[f.feature] !== 'number') features[f.feature] = f.value(g[f.latent]!);
  features['lightLevel'] ??= 0.5;
  return { id: record.id, features, hidden: hiddenFactors(g, n, variant) };
}

const logNormalPdf = (x: number, mean: number, variance: number): number => -0.5 * ((x - mean) ** 2 / variance) - 0.5 * Math.log(variance) - LOG_SQRT_2PI;

/** log Φ(x), accurate far into the lower tail. */
function logNormCdf(x: number): number {
  if (x > -6) return Math.log(normCdf(x));
  const x2 = x * x;
  return -0.5 * x2 - Math.log(-x) - LOG_SQRT_2PI + Math.log(1 - 1 / x2 + 3 / (x2 * x2));
}

function logPoisson(k: number, lambda: number): number {
  if (lambda <= 0) return k === 0 ? 0 : -Infinity;
  let lf = 0;
  for (let i = 2; i <= k; i++) lf += Math.log(i);
  return k * Math.log(lambda) - lambda - lf;
}

function logSumExp(xs: ArrayLike<number>, n = xs.length): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (xs[i]! > max) max = xs[i]!;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(xs[i]! - max);
  return max + Math.log(s);
}

interface Observed {
  won: number | undefined;
  dur: number | undefined;
  dmg: number | undefined;
  pot: number | undefined;
}

const T2 = TIME_SD * TIME_SD;
const O2 = OBS_SD * OBS_SD;

/** log p(won, damage, potions, duration | the run's shape) for a won run. */
function wonLogLik(run: RunShape, o: Observed): number {
  const lnd0 = Math.log(run.d0);
  const s2 = run.sigma * run.sigma;
  const lnB = Math.log(run.startHealth + run.healing);
  let lp = 0;
  let damage = run.d0;
  if (o.dmg !== undefined) {
    // ln taken = ln D + ln L, ln L ~ N(−O²/2, O²): the Gaussian product in ln D is exact
    const m = Math.log(o.dmg) + O2 / 2;
    const v = (s2 * O2) / (s2 + O2);
    const c = v * (lnd0 / s2 + m / O2);
    lp += logNormalPdf(m, lnd0, s2 + O2) - Math.log(o.dmg) + logNormCdf((lnB - c) / Math.sqrt(v));
    damage = Math.exp(c);
  } else lp += logNormCdf((lnB - lnd0) / run.sigma);
  if (o.dur !== undefined) lp += logNormalPdf(Math.log(o.dur), Math.log(run.fullTime) - (T2 + O2) / 2, T2 + O2) - Math.log(o.dur);
  if (o.pot !== undefined) lp += logPoisson(o.pot, run.potions * wonPotionShare(run, damage));
  return lp;
}

const lostTerms = new Float64Array(ENDING.nodes.length);

/**
 * log p(lost, damage, potions, duration | the run's shape): integrated over w = log of the progress
 * at death (D = healing + H0·e^{−w}), by Gauss-Hermite importance quadrature around the Gaussian that
 * the duration and the damage imply for w.
 */
function lostLogLik(run: RunShape, o: Observed): number {
  const lnd0 = Math.log(run.d0);
  const s2 = run.sigma * run.sigma;
  const H0 = run.startHealth;
  const h = run.healing;
  const lnB = Math.log(H0 + h);
  if (o.dur === undefined && o.dmg === undefined) return logNormCdf((lnd0 - lnB) / run.sigma);
  let prec = 0;
  let num = 0;
  if (o.dur !== undefined) {
    const w = Math.log(o.dur) - Math.log(run.fullTime) + (T2 + O2) / 2;
    prec += 1 / (T2 + O2);
    num += w / (T2 + O2);
  }
  if (o.dmg !== undefined && h > 1e-9) {
    const taken = o.dmg * Math.exp(O2 / 2);
    if (taken > H0) {
      const w = Math.log((taken - H0) / h);
      const sd = (OBS_SD * taken) / (taken - H0);
      prec += 1 / (sd * sd);
      num += w / (sd * sd);
    }
  }
  // Quadrature in x = logit(progress), so that w = −log(1 + e^{−x}) < 0 without a hard edge that
  // quadrature nodes would cross as the level changes (that would make the likelihood jagged).
  const w0 = prec > 0 ? num / prec : -0.7;
  const p0 = Math.min(0.995, Math.exp(Math.min(w0, 0)));
  const centre = Math.log(p0 / (1 - p0));
  const width = (prec > 0 ? 1.5 / Math.sqrt(prec) : 1) / (1 - p0);
  for (let i = 0; i < ENDING.nodes.length; i++) {
    const x = centre + width * ENDING.nodes[i]!;
    const w = -Math.log1p(Math.exp(-x));
    const D = h + H0 * Math.exp(-w);
    const lnD = Math.log(D);
    // prior of w: ln D ~ N(ln d0, σ²), |d ln D / dw| = H0·e^{−w} / D; dw/dx = 1 − progress
    let lp = logNormalPdf(lnD, lnd0, s2) + Math.log(H0) - w - lnD - Math.log1p(Math.exp(x));
    if (o.dur !== undefined) lp += logNormalPdf(Math.log(o.dur), Math.log(run.fullTime) + w - (T2 + O2) / 2, T2 + O2) - Math.log(o.dur);
    if (o.dmg !== undefined) lp += logNormalPdf(Math.log(o.dmg), Math.log(H0 + h * Math.exp(w)) - O2 / 2, O2) - Math.log(o.dmg);
    if (o.pot !== undefined) lp += logPoisson(o.pot, run.potions * Math.exp(w));
    // importance weight against the quadrature's Gaussian N(centre, width²)
    lostTerms[i] = Math.log(ENDING.weights[i]!) + lp - logNormalPdf(x, centre, width * width);
  }
  return logSumExp(lostTerms);
}

const skillTerms = new Float64Array(testers.length * SKILL.nodes.length);

/** log p(playtest | level context), the tester's skill integrated (over every tester when unnamed). */
function playtestLogLik(c: LevelContext, testerIndex: number, o: Observed): number {
  let n = 0;
  testers.forEach((t, ti) => {
    if (testerIndex >= 0 && ti !== testerIndex) return;
    const share = testerIndex >= 0 ? 1 : t.share;
    for (let k = 0; k < SKILL.nodes.length; k++) {
      const run = runShape(c, t.skillMean + t.skillSd * SKILL.nodes[k]!);
      let ll: number;
      if (o.won === 1) ll = wonLogLik(run, o);
      else if (o.won === 0) ll = lostLogLik(run, o);
      else ll = logSumExp([wonLogLik(run, o), lostLogLik(run, o)]);
      skillTerms[n++] = Math.log(share * SKILL.weights[k]!) + ll;
    }
  });
  return logSumExp(skillTerms, n);
}

interface PreparedPlaytest {
  params: ParamValues;
  /** playtests with equal params share one level context */
  setting: number;
  tester: number;
  obs: Observed;
}

function prepare(playtests: readonly Playtest[]): { rows: PreparedPlaytest[]; settings: ParamValues[] } {
  const keys = new Map<string, number>();
  const settings: ParamValues[] = [];
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const rows = playtests.map((pt) => {
    const params = pt.params ?? {};
    const key = JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)));
    let setting = keys.get(key);
    if (setting === undefined) {
      setting = settings.length;
      keys.set(key, setting);
      settings.push(params);
    }
    const m = pt.metrics;
    return {
      params,
      setting,
      tester: testers.findIndex((t) => t.name === pt.tester),
      obs: { won: num(m['won']), dur: num(m['durationSec']), dmg: num(m['damageTaken']), pot: num(m['potionsUsed']) },
    };
  });
  return { rows, settings };
}

function logLikelihood(level: SampleLevel, prepared: ReturnType<typeof prepare>, variant: GameVariant): number {
  const contexts = prepared.settings.map((p) => levelContext(level, p, variant));
  let ll = 0;
  for (const r of prepared.rows) ll += playtestLogLik(contexts[r.setting]!, r.tester, r.obs);
  return Number.isFinite(ll) ? ll : -1e300;
}

function essOf(logW: Float64Array): number {
  const max = Math.max(...logW);
  let s = 0;
  let s2 = 0;
  for (const v of logW) {
    const w = Math.exp(v - max);
    s += w;
    s2 += w * w;
  }
  return (s * s) / s2;
}

function normalise(logW: Float64Array): Float64Array {
  const max = Math.max(...logW);
  const w = logW.map((v) => Math.exp(v - max));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

const logStdNormal = (eta: ArrayLike<number>): number => {
  let q = 0;
  for (let i = 0; i < DIM; i++) q += eta[i]! * eta[i]!;
  return -0.5 * q - DIM * LOG_SQRT_2PI;
};

/** Maximises f by BFGS with central-difference gradients and a backtracking line search. */
function maximise(f: (x: Float64Array) => number, x0: Float64Array, iterations = 60): Float64Array {
  const h = 1e-4;
  const grad = (x: Float64Array): Float64Array =>
    Float64Array.from({ length: DIM }, (_, d) => {
      const a = Float64Array.from(x);
      const b = Float64Array.from(x);
      a[d]! += h;
      b[d]! -= h;
      return (f(a) - f(b)) / (2 * h);
    });
  let x = Float64Array.from(x0);
  let fx = f(x);
  let g = grad(x);
  // inverse Hessian of −f, started at the prior's (the identity)
  let inv = new Float64Array(DIM * DIM);
  for (let d = 0; d < DIM; d++) inv[d * DIM + d] = 1;
  for (let it = 0; it < iterations; it++) {
    const dir = new Float64Array(DIM);
    for (let i = 0; i < DIM; i++) for (let j = 0; j < DIM; j++) dir[i]! += inv[i * DIM + j]! * g[j]!;
    let slope = 0;
    for (let i = 0; i < DIM; i++) slope += dir[i]! * g[i]!;
    if (!(slope > 1e-10)) break;
    let step = 1;
    let xn = x;
    let fn = fx;
    for (let k = 0; k < 30; k++, step /= 2) {
      xn = Float64Array.from(x, (v, i) => v + step * dir[i]!);
      fn = f(xn);
      if (fn >= fx + 1e-4 * step * slope) break;
    }
    if (!(fn > fx)) break;
    const gn = grad(xn);
    const sv = Float64Array.from(xn, (v, i) => v - x[i]!);
    const yv = Float64Array.from(g, (v, i) => v - gn[i]!); // gradient change of −f
    const sy = sv.reduce((a, v, i) => a + v * yv[i]!, 0);
    if (sy > 1e-12) {
      // BFGS update of the inverse Hessian: (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const hy = new Float64Array(DIM);
      for (let i = 0; i < DIM; i++) for (let j = 0; j < DIM; j++) hy[i]! += inv[i * DIM + j]! * yv[j]!;
      const yhy = yv.reduce((a, v, i) => a + v * hy[i]!, 0);
      const next = new Float64Array(DIM * DIM);
      for (let i = 0; i < DIM; i++)
        for (let j = 0; j < DIM; j++)
          next[i * DIM + j] = inv[i * DIM + j]! - rho * (hy[i]! * sv[j]! + sv[i]! * hy[j]!) + (rho * rho * yhy + rho) * sv[i]! * sv[j]!;
      inv = next;
    }
    const gain = fn - fx;
    x = xn;
    fx = fn;
    g = gn;
    if (gain < 1e-7) break;
  }
  return x;
}

/** Covariance of the Laplace approximation at x: the inverse of −f's finite-difference Hessian. */
function laplaceCovariance(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const h = 1e-3;
  const f0 = f(x);
  const at = (i: number, di: number, j: number, dj: number): number => {
    const y = Float64Array.from(x);
    y[i]! += di;
    y[j]! += dj;
    return f(y);
  };
  const hess = new Float64Array(DIM * DIM);
  for (let i = 0; i < DIM; i++) {
    hess[i * DIM + i] = -(at(i, h, i, 0) - 2 * f0 + at(i, -h, i, 0)) / (h * h);
    for (let j = 0; j < i; j++) {
      const v = -(at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
      hess[i * DIM + j] = hess[j * DIM + i] = v;
    }
  }
  // the prior alone has Hessian I: never let the curvature fall below a tenth of it
  for (let i = 0; i < DIM; i++) hess[i * DIM + i] = Math.max(hess[i * DIM + i]!, 0.1);
  try {
    return cholInverse(cholesky(hess, DIM).l, DIM);
  } catch {
    // BFGS can stop where the posterior is not locally concave (a saddle, or a kink where a lost
    // run's room changes), so the Hessian is indefinite. The proposal then keeps the diagonal
    // curvature; the importance weights still make the posterior exact, and the draw count grows
    // until the effective sample size clears its floor.
    return Float64Array.from(hess, (v, k) => (k % (DIM + 1) === 0 ? 1 / v : 0));
  }
}

/** A multivariate Student-t proposal (heavier tails than the Laplace Gaussian it widens). */
interface TProposal {
  mean: Float64Array;
  chol: Float64Array;
  logDet: number;
  nu: number;
}

function logT(x: Float64Array, t: TProposal): number {
  const y = forwardSolve(t.chol, DIM, Float64Array.from(x, (v, i) => v - t.mean[i]!));
  const q = y.reduce((a, v) => a + v * v, 0);
  const { nu } = t;
  return lgamma((nu + DIM) / 2) - lgamma(nu / 2) - (DIM / 2) * Math.log(nu * Math.PI) - 0.5 * t.logDet - ((nu + DIM) / 2) * Math.log1p(q / nu);
}

function drawT(t: TProposal, rng: Rng): Float64Array {
  const u = Float64Array.from({ length: DIM }, () => rng.normal());
  let chi = 0;
  for (let k = 0; k < t.nu; k++) chi += rng.normal() ** 2;
  const scale = Math.sqrt(t.nu / chi);
  return affine(t.mean, t.chol, DIM, u.map((v) => v * scale));
}

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The level's posterior given its record and playtests. Deterministic for a seed. The MAP (BFGS
 * from the best of a few prior draws) and the Laplace covariance there define a Student-t proposal
 * (ν = 5, widened 1.2×, with 5 % of the draws from the prior); importance weights correct it to the
 * exact posterior, and the draw count doubles until the effective sample size clears the floor.
 */
export function levelPosterior(record: Level, playtests: readonly Playtest[], variant: GameVariant, opts: AgentOptions = {}): LevelPosterior {
  let N = opts.particles ?? 1024;
  const floor = opts.essFloor ?? 200;
  const rng = new Rng(opts.seed ?? 0).fork(`bayes:${record.id}:${playtests.length}`);
  const bounds = latentBounds(record);
  const prepared = prepare(playtests);
  const logPost = (eta: Float64Array): number => logStdNormal(eta) + logLikelihood(levelAt(record, bounds, eta, variant), prepared, variant);
  let start = new Float64Array(DIM);
  let startValue = logPost(start);
  for (let i = 0; i < 64; i++) {
    const eta = Float64Array.from({ length: DIM }, () => rng.normal());
    const v = logPost(eta);
    if (v > startValue) [start, startValue] = [eta, v];
  }
  const mode = playtests.length === 0 ? new Float64Array(DIM) : maximise(logPost, start);
  const cov = playtests.length === 0 ? Float64Array.from({ length: DIM * DIM }, (_, k) => (k % (DIM + 1) === 0 ? 1 : 0)) : laplaceCovariance(logPost, mode);
  const widened = cov.map((v) => v * 1.44);
  const { l } = cholesky(widened, DIM);
  const t: TProposal = { mean: mode, chol: l, logDet: cholLogDet(l, DIM), nu: 5 };
  const DEFENSIVE = 0.05;
  const etas: Float64Array[] = [];
  const logW: number[] = [];
  let rounds = 0;
  for (;;) {
    rounds++;
    while (etas.length < N) {
      const eta = rng.next() < DEFENSIVE ? Float64Array.from({ length: DIM }, () => rng.normal()) : drawT(t, rng);
      const logQ = logSumExp([Math.log(DEFENSIVE) + logStdNormal(eta), Math.log(1 - DEFENSIVE) + logT(eta, t)]);
      etas.push(eta);
      logW.push(logPost(eta) - logQ);
    }
    const ess = essOf(Float64Array.from(logW));
    if (ess >= floor || N >= 16384) {
      const w = normalise(Float64Array.from(logW));
      return summarise(etas.map((e) => levelAt(record, bounds, e, variant)), w, ess, rounds);
    }
    N *= 2;
  }
}

function summarise(levels: SampleLevel[], w: Float64Array, ess: number, rounds: number): LevelPosterior {
  const names = Object.keys(levels[0]!.hidden);
  const logHiddenMean: Record<string, number> = {};
  const logHiddenSd: Record<string, number> = {};
  for (const name of names) {
    let m = 0;
    let m2 = 0;
    levels.forEach((l, i) => {
      const v = Math.log(l.hidden[name]!);
      m += w[i]! * v;
      m2 += w[i]! * v * v;
    });
    logHiddenMean[name] = m;
    logHiddenSd[name] = Math.sqrt(Math.max(0, m2 - m * m));
  }
  return { levels, weights: w, ess, rounds, logHiddenMean, logHiddenSd };
}

/** `count` particles by systematic resampling (equal weights afterwards). */
export function resample(post: LevelPosterior, count: number, seed = 0): SampleLevel[] {
  const u0 = new Rng(seed).fork('resample').next() / count;
  const out: SampleLevel[] = [];
  let cum = 0;
  let i = 0;
  for (let k = 0; k < count; k++) {
    const u = u0 + k / count;
    while (i < post.weights.length - 1 && cum + post.weights[i]! < u) cum += post.weights[i++]!;
    out.push(post.levels[i]!);
  }
  return out;
}

export interface AgentBalance {
  params: ParamValues;
  /** posterior probability that every target is met at params */
  pMeet: number;
}

export interface AgentBalanceOptions {
  /** values of the params that do not move (e.g. the level's generation settings) */
  base: ParamValues;
  allowGeneration?: boolean;
  seed?: number;
  /** posterior particles the search scores each candidate on (default 100) */
  searchParticles?: number;
}

/**
 * The setting that maximises the posterior probability that every target is met: candidates are
 * scored on resampled particles by a smoothed hit indicator (so the pattern search has a slope),
 * from a quasi-random sweep and pattern searches from the best few; the winner's pMeet is exact.
 */
export function agentBalance(project: Project, post: LevelPosterior, variant: GameVariant, opts: AgentBalanceOptions): AgentBalance {
  const particles = resample(post, opts.searchParticles ?? 100, opts.seed ?? 0);
  const searched = project.params.filter((p) => !p.locked && (p.group === 'balance' || opts.allowGeneration === true));
  const axes = searched.filter(isNumeric);
  const discrete = searched.filter((p) => !isNumeric(p));
  const targets = project.targets;
  const smooth = (params: ParamValues): number => {
    let s = 0;
    for (const lvl of particles) {
      const m = expectedMetrics(lvl, params, variant, SEARCH_RULES);
      let p = 1;
      for (const t of targets) {
        const z = (t.tolerance - Math.abs(m[t.metric]! - t.target)) / (0.1 * t.tolerance);
        p *= 1 / (1 + Math.exp(-z));
      }
      s += p;
    }
    return s / particles.length;
  };
  const rng = new Rng(opts.seed ?? 0).fork(`agent-search`);
  const discreteValues = (p: (typeof searched)[number]): unknown[] => (p.type === 'bool' ? [false, true] : p.type === 'choice' ? p.choices : []);
  const candidate = (): ParamValues => {
    const params: ParamValues = { ...opts.base };
    for (const a of axes) params[a.name] = fromUnit(a, rng.next());
    for (const d of discrete) params[d.name] = rng.pick(discreteValues(d)) as ParamValues[string];
    return params;
  };
  type Scored = { params: ParamValues; score: number };
  const pool: Scored[] = [{ params: { ...opts.base }, score: smooth(opts.base) }];
  for (let i = 0; i < 48; i++) {
    const params = candidate();
    pool.push({ params, score: smooth(params) });
  }
  pool.sort((x, y) => y.score - x.score);
  let best = pool[0]!;
  for (const start of pool.slice(0, 2)) {
    let cur = start;
    let step = 0.125;
    while (step > 1 / 64) {
      let improved = false;
      for (const a of axes) {
        for (const dir of [-1, 1]) {
          const u = toUnit(a, cur.params[a.name] as number) + dir * step;
          if (u < 0 || u > 1) continue;
          const params = { ...cur.params, [a.name]: fromUnit(a, u) };
          const score = smooth(params);
          if (score > cur.score + 1e-9) {
            cur = { params, score };
            improved = true;
          }
        }
      }
      for (const d of discrete) {
        for (const v of discreteValues(d)) {
          if (v === cur.params[d.name]) continue;
          const params = { ...cur.params, [d.name]: v } as ParamValues;
          const score = smooth(params);
          if (score > cur.score + 1e-9) {
            cur = { params, score };
            improved = true;
          }
        }
      }
      if (!improved) step /= 2;
    }
    if (cur.score > best.score) best = cur;
  }
  return { params: best.params, pMeet: posteriorPMeet(project, post, variant, best.params) };
}

/** Posterior probability that every target is met at params (exact metrics, every particle weighted). */
export function posteriorPMeet(project: Project, post: LevelPosterior, variant: GameVariant, params: ParamValues): number {
  let p = 0;
  post.levels.forEach((lvl, i) => {
    if (post.weights[i]! < 1e-6) return;
    const m = expectedMetrics(lvl, params, variant);
    if (project.targets.every((t) => Math.abs(m[t.metric]! - t.target) <= t.tolerance)) p += post.weights[i]!;
  });
  return p;
}
