// A model adapted to one level: expected metrics for many candidate settings at once, at the
// most likely context (mode) and under posterior × ensemble draws whose spread is calibrated.
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRows } from './data.js';
import { expectedFromHeads, momentPlan, type MomentPlan } from './heads.js';
import { rowLogLik } from './likelihood.js';
import type { MetaModel } from './model.js';
import { disposeNets, type MemberNet } from './network.js';
import { contextPart, gridHeads, headsFrom, levelBias } from './inference.js';
import { populationInputs, populationWeights } from './inputs.js';

export interface LevelPredictor {
  readonly levelId: string;
  readonly playtestCount: number;
  readonly metrics: string[];
  readonly samples: number;
  /**
   * Expected metrics of n settings (rows of the ParamSpace unit cube) for the corpus's tester
   * population: `mode` [n, M] at the most likely context, `draws` [n, samples, M] when asked, and
   * `noise` [n, M], one playtest's variance around the expected metric at the mode, when asked and
   * the predictor knows it.
   */
  predict(x: Float32Array, n: number, opts?: PredictOptions): Prediction;
  dispose(): void;
}

export interface PredictOptions {
  draws?: boolean;
  noise?: boolean;
  /** weights over the model's tester inputs to average over instead of the corpus population (a segment's) */
  mix?: readonly number[];
}

export interface Prediction {
  mode: Float32Array;
  draws?: Float32Array;
  noise?: Float32Array;
}

/** One member's contexts: the mode first, then its draws; each optionally shifted in head space. */
export interface MemberContexts {
  /** [1 + S_e, Z] (empty rows when the model has no context) */
  z: Float32Array;
  /** per context, a shift added to the heads (the per-level residual, or a baseline's offsets), or null */
  headShift: Float32Array[] | null;
}

export class Predictor implements LevelPredictor {
  readonly metrics: string[];
  readonly samples: number;
  private readonly perMember: number;
  private readonly biases: tf.Tensor2D[];
  private readonly zAll: (tf.Tensor2D | null)[];
  private readonly zMode: (tf.Tensor2D | null)[];
  /** per member, the first layer's share of its contexts (all, and the mode alone): fixed, so computed once */
  private readonly ctxAll: tf.Tensor2D[];
  private readonly ctxMode: tf.Tensor2D[];
  private readonly plan: MomentPlan;
  private disposed = false;

  constructor(
    private readonly model: MetaModel,
    readonly levelId: string,
    readonly playtestCount: number,
    feat: Float32Array,
    private readonly nets: MemberNet[],
    private readonly ownsNets: boolean,
    private readonly contexts: MemberContexts[],
  ) {
    const Z = model.shape.context;
    this.metrics = model.project.metrics.map((m) => m.name);
    this.plan = momentPlan(model.spec, model.outputs);
    const c0 = contexts[0]!;
    this.perMember = Z > 0 ? c0.z.length / Z - 1 : c0.headShift ? c0.headShift.length - 1 : 1;
    this.samples = this.perMember * nets.length;
    this.biases = nets.map((n) => levelBias(n, feat));
    this.zAll = contexts.map((c) => (Z > 0 ? tf.tensor2d(c.z, [c.z.length / Z, Z]) : null));
    this.zMode = contexts.map((c) => (Z > 0 ? tf.tensor2d(c.z.subarray(0, Z), [1, Z]) : null));
    const ctx = (z: tf.Tensor2D | null, e: number): tf.Tensor2D => tf.tidy(() => tf.clone(contextPart(nets[e]!, this.biases[e]!, z)));
    this.ctxAll = this.zAll.map(ctx);
    this.ctxMode = this.zMode.map(ctx);
  }

  predict(x: Float32Array, n: number, opts: PredictOptions = {}): Prediction {
    const lay = this.model.inputs;
    if (x.length < n * lay.base) throw new RangeError(`predict: x has ${x.length} floats, need ${n}×${lay.base}`);
    const noise = opts.noise ? new Float32Array(n * this.metrics.length) : null;
    const { mode, draws } = this.run(populationInputs(lay, x, n), n, opts.mix ?? populationWeights(lay), opts.draws === true, noise);
    if (draws) this.calibrate(draws, n);
    return { mode, ...(draws ? { draws } : {}), ...(noise ? { noise } : {}) };
  }

  /**
   * Uncalibrated draws and the playtest-noise variance at the mode for network input rows (each
   * playtest's own tester, not the population: for fitting the calibration). For the population,
   * the noise is the mixture's: the testers' spread around the population mean counts too.
   */
  rawDraws(x: Float32Array, n: number): { draws: Float32Array; noiseVar: Float32Array } {
    const noiseVar = new Float32Array(n * this.metrics.length);
    const { draws } = this.run(x, n, [1], true, noiseVar);
    return { draws: draws!, noiseVar };
  }

  /** `x` holds n groups of `weights.length` network rows; a group's metrics are its rows' weighted mixture. */
  private run(
    x: Float32Array,
    n: number,
    weights: readonly number[],
    withDraws: boolean,
    noiseVar: Float32Array | null,
  ): { mode: Float32Array; draws?: Float32Array } {
    if (this.disposed) throw new Error('LevelPredictor used after dispose()');
    const P = this.model.shape.perPlaytest;
    const T = weights.length;
    const M = this.metrics.length;
    const E = this.nets.length;
    const S = this.samples;
    const Z = this.model.shape.context;
    const mode = new Float32Array(n * M);
    const draws = withDraws ? new Float32Array(n * S * M) : undefined;
    const one = new Float32Array(M);
    const noise = new Float32Array(M);
    const mix = new Float32Array(M);
    const mixVar = new Float32Array(M);
    const xT = tf.tensor2d(x.subarray(0, n * T * P), [n * T, P]);
    for (let e = 0; e < E; e++) {
      // Without a context every draw of a member is the member itself: one pass serves both.
      const ctx = withDraws && Z > 0 ? this.ctxAll[e]! : this.ctxMode[e]!;
      const headsT = tf.tidy(() => headsFrom(this.nets[e]!, xT, ctx));
      const heads = headsT.dataSync() as Float32Array;
      headsT.dispose();
      const s = headsT.shape[1];
      const O = headsT.shape[2];
      const shifts = this.contexts[e]!.headShift;
      const row = new Float32Array(O);
      const ctxCount = withDraws ? 1 + this.perMember : 1;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < ctxCount; c++) {
          const src = Math.min(c, s - 1);
          mix.fill(0);
          mixVar.fill(0);
          // the draws need no playtest noise, nor the mode when nobody asked for it
          const rowNoise = c === 0 && noiseVar ? noise : null;
          for (let t = 0; t < T; t++) {
            let off = ((i * T + t) * s + src) * O;
            let h: ArrayLike<number> = heads;
            const shift = shifts?.[c];
            if (shift) {
              for (let k = 0; k < O; k++) row[k] = heads[off + k]! + shift[k]!;
              h = row;
              off = 0;
            }
            expectedFromHeads(this.plan, h, off, one, rowNoise);
            const w = weights[t]!;
            for (let j = 0; j < M; j++) mix[j]! += w * one[j]!;
            if (rowNoise) for (let j = 0; j < M; j++) mixVar[j]! += w * (noise[j]! + one[j]! * one[j]!);
          }
          if (c > 0) {
            draws!.set(mix, (i * S + e * this.perMember + (c - 1)) * M);
            continue;
          }
          for (let j = 0; j < M; j++) mode[i * M + j]! += mix[j]! / E;
          if (noiseVar) for (let j = 0; j < M; j++) noiseVar[i * M + j]! += Math.max(0, mixVar[j]! - mix[j]! * mix[j]!) / E;
        }
      }
    }
    xT.dispose();
    return draws ? { mode, draws } : { mode };
  }

  /**
   * Predictive log-likelihood of each row of a level's held-out playtests: log of the mean, over
   * the members' draws, of p(playtest | draw) — the validation score.
   */
  logLikRows(rows: LevelRows): Float64Array {
    const Z = this.model.shape.context;
    const P = this.model.shape.perPlaytest;
    const M = this.metrics.length;
    const R = rows.rows;
    const per: Float32Array[] = [];
    for (let e = 0; e < this.nets.length; e++) {
      const zAll = this.zAll[e];
      const shifts = this.contexts[e]!.headShift;
      const t = tf.tidy(() => {
        const z = zAll && Z > 0 ? tf.slice(zAll, [1, 0], [-1, -1]) : null;
        let heads = gridHeads(this.nets[e]!, this.biases[e]!, tf.tensor2d(rows.x, [R, P]), z as tf.Tensor2D | null);
        if (shifts) {
          // the draws' shifts (not the mode's), broadcast over rows; without a context every draw shares one head row
          const O = heads.shape[2];
          const drawn = shifts.slice(1);
          if (heads.shape[1] === 1 && drawn.length > 1) heads = tf.tile(heads, [1, drawn.length, 1]);
          const flat = new Float32Array(drawn.length * O);
          drawn.forEach((d, i) => flat.set(d, i * O));
          heads = tf.add(heads, tf.tensor3d(flat, [1, drawn.length, O]));
        }
        return rowLogLik(this.model.outputs, heads, tf.tensor3d(rows.y, [R, 1, M]), tf.tensor3d(rows.obs, [R, 1, M]));
      });
      per.push((t.dataSync() as Float32Array).slice());
      t.dispose();
    }
    const out = new Float64Array(R);
    const s = per[0]!.length / R;
    for (let r = 0; r < R; r++) {
      let max = -Infinity;
      for (const a of per) for (let k = 0; k < s; k++) max = Math.max(max, a[r * s + k]!);
      let sum = 0;
      for (const a of per) for (let k = 0; k < s; k++) sum += Math.exp(a[r * s + k]! - max);
      out[r] = max + Math.log(sum / (s * per.length));
    }
    return out;
  }

  /** Widen each metric's draws around their mean by the calibration factor; keep them in range. */
  private calibrate(draws: Float32Array, n: number): void {
    const M = this.metrics.length;
    const S = this.samples;
    const specs = this.model.spec.metrics;
    for (let j = 0; j < M; j++) {
      const c = this.model.calibration[j] ?? 1;
      const link = specs[j]!.link;
      for (let i = 0; i < n; i++) {
        let mean = 0;
        for (let s = 0; s < S; s++) mean += draws[(i * S + s) * M + j]!;
        mean /= S;
        for (let s = 0; s < S; s++) {
          const k = (i * S + s) * M + j;
          let v = mean + c * (draws[k]! - mean);
          if (link === 'bernoulli') v = Math.min(1, Math.max(0, v));
          else if (link !== 'identity') v = Math.max(0, v);
          draws[k] = v;
        }
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.biases, ...this.ctxAll, ...this.ctxMode, ...this.zAll.filter((t) => t !== null), ...this.zMode.filter((t) => t !== null)]);
    if (this.ownsNets) disposeNets(this.nets);
  }
}
