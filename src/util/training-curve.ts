// The loss curve of a training run, kept with the model it produced (model.info.trainingCurve), so
// the dashboard can draw the curve of the model in use after a reload or when the CLI trained it.

/** one progress report: the training loss at a step and the latest validation NLL */
export interface CurvePoint {
  step: number;
  loss: number | null;
  valLoss: number | null;
}

export interface SavedCurve {
  /** the steps the run was asked for; fewer were run when it stopped early */
  plannedSteps: number;
  points: CurvePoint[];
}

/** At most this many points are saved (thinned evenly), so model.info stays small. */
export const MAX_SAVED_POINTS = 400;

const finiteOrNull = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

export class CurveRecorder {
  /** every `stride`-th report is kept (the stride doubles whenever the kept ones exceed the cap) */
  private kept: { index: number; point: CurvePoint }[] = [];
  private stride = 1;
  private count = 0;
  private latest: CurvePoint | null = null;
  private planned = 0;

  add(p: { step: number; total: number; loss: number | null; valLoss: number | null }): void {
    this.planned = p.total;
    this.latest = { step: p.step, loss: finiteOrNull(p.loss), valLoss: finiteOrNull(p.valLoss) };
    const index = this.count++;
    if (index % this.stride !== 0) return;
    this.kept.push({ index, point: this.latest });
    if (this.kept.length >= MAX_SAVED_POINTS) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => k.index % this.stride === 0);
    }
  }

  /** the kept points and the latest one, so the curve ends where training did */
  saved(): SavedCurve {
    const points = this.kept.map((k) => k.point);
    if (this.latest && points.at(-1) !== this.latest) points.push(this.latest);
    return { plannedSteps: this.planned, points };
  }
}
