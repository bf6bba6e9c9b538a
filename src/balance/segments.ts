// Design targets per kind of player ("novices should win 70 % of runs, experts 35 %"). A segment's
// prediction is the model's at the same level context for a tester mix of that segment's testers
// only, weighted by their playtests — the same hypotheses about the level as the population's, so
// pMeet over every segment's targets stays one joint probability. The predictor then has one more
// column block per targeted segment, named `METRIC@SEGMENT` (a metric name cannot hold '@'), and the
// search, pMeet and suggest run on those columns unchanged.
import type { LevelPredictor, MetaModel, PredictOptions, Prediction } from '../model/index.js';
import { ownColumns, segmentColumn } from '../model/inputs.js';
import type { Project, Segment } from '../project/types.js';

/** The prediction column of a metric for a segment (or for the whole population). */
export function columnName(metric: string, segment?: string): string {
  return segment === undefined ? metric : `${metric}@${segment}`;
}

/** Segments some target names, in project order. */
export function targetedSegments(project: Project): Segment[] {
  const named = new Set(project.targets.flatMap((t) => (t.segment === undefined ? [] : [t.segment])));
  return project.segments.filter((g) => named.has(g.name));
}

/**
 * A segment's weights over the model's tester inputs: its testers' shares of the corpus (those with
 * their own input, and its pool of testers too rare for one), and an undeclared tester with its own
 * input by its share times its typed probability of being of this segment (model.typing; no segment
 * in `segments` may claim it). A segment the model has no input for cannot be predicted, and says why.
 */
export function segmentMix(model: MetaModel, segment: Segment, segments: readonly Segment[] = [segment]): number[] {
  const { testers, mix } = model.inputs;
  const pool = segmentColumn(segment.name);
  const members = new Set(segment.testers);
  const claimed = new Set(segments.flatMap((g) => g.testers));
  const typing = model.typing;
  const column = typing ? typing.segments.indexOf(segment.name) : -1;
  const own = new Set(ownColumns(testers));
  const typed = (t: string): number => (column >= 0 && !claimed.has(t) ? (typing!.inputTesters[t]?.[column] ?? 0) : 0);
  // a column is a tester's own, a segment's pool, or the rest's (which no segment claims)
  const weights = testers.map((t, i) => (t === pool || (own.has(t) && members.has(t)) ? mix[i]! : own.has(t) ? mix[i]! * typed(t) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) {
    throw new Error(
      `segment "${segment.name}": the model has no input for its testers (${segment.testers.join(', ')}): none of them played in its training corpus, ` +
        `or the segment was declared after the model was trained; record their playtests and train again`,
    );
  }
  return weights.map((w) => w / total);
}

/** The predictor with a column block per targeted segment after the population's metrics. */
export function withSegments(model: MetaModel, project: Project, inner: LevelPredictor): LevelPredictor {
  const segments = targetedSegments(project);
  if (segments.length === 0) return inner;
  const mixes = segments.map((g) => segmentMix(model, g, project.segments));
  const M = inner.metrics.length;
  const W = M * (1 + segments.length);
  const S = inner.samples;
  return {
    levelId: inner.levelId,
    playtestCount: inner.playtestCount,
    samples: S,
    metrics: [...inner.metrics, ...segments.flatMap((g) => inner.metrics.map((m) => columnName(m, g.name)))],
    predict(x: Float32Array, n: number, opts: PredictOptions = {}): Prediction {
      const parts = [inner.predict(x, n, opts), ...mixes.map((mix) => inner.predict(x, n, { ...opts, mix }))];
      /** rows of M values (n of them, or n·S) from every part side by side */
      const join = (pick: (p: Prediction) => Float32Array | undefined, rows: number): Float32Array | undefined => {
        if (parts.some((p) => pick(p) === undefined)) return undefined;
        const out = new Float32Array(rows * W);
        parts.forEach((p, b) => {
          const a = pick(p)!;
          for (let r = 0; r < rows; r++) out.set(a.subarray(r * M, (r + 1) * M), r * W + b * M);
        });
        return out;
      };
      const draws = join((p) => p.draws, n * S);
      const noise = join((p) => p.noise, n);
      return { mode: join((p) => p.mode, n)!, ...(draws ? { draws } : {}), ...(noise ? { noise } : {}) };
    },
    dispose: () => inner.dispose(),
  };
}
