// Issue 13, item 8: one implausible playtest must not move OTHER levels' predictions. Four trainings
// with the same seed on the same small crypt-run corpus plus one extra playtest of one past level:
// its duration as recorded (the control), in milliseconds, and 1e300. The control has exactly the
// rows, counts and batches of the other two, so comparing against it isolates the value's effect
// (adding any playtest at all changes a trained network a little: a new row shifts the means
// training standardises with and the level's minibatches). Bound: every other level's predicted
// metric at the defaults moves by at most 1 % of that metric's target tolerance.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pastCorpus } from '../../samples/crypt-run/corpus.js';
import { adaptLevel, initBackend, trainModel, type MetaModel } from '../../src/model/index.js';
import type { ParamValues, Playtest } from '../../src/project/types.js';
import { smallCorpus } from './fixtures.js';

await initBackend();

test('one playtest with durationSec 1e300 or in milliseconds moves no other level by more than 1 % of a tolerance', async () => {
  const c = smallCorpus(5, 20, 10);
  const base = pastCorpus(c);
  const touched = base.playtests[7]!;
  const extra = (durationSec: number): Playtest => ({ ...touched, id: 'pt-extra', metrics: { ...touched.metrics, durationSec } });
  const seconds = touched.metrics['durationSec']!;
  const defaults = Object.fromEntries(c.project.params.map((p) => [p.name, p.default])) as ParamValues;
  const others = [...c.newLevelIds, ...base.levels.map((l) => l.id).filter((id) => id !== touched.levelId).slice(0, 6)];
  const targets = c.project.targets;

  const predictions = async (added: Playtest): Promise<number[][]> => {
    const model: MetaModel = await trainModel({ ...base, playtests: [...base.playtests, added] }, { seed: 1, steps: 150 });
    try {
      return others.map((id) => {
        const level = c.levels.find((l) => l.id === id)!;
        const p = adaptLevel(model, level, c.playtests.filter((q) => q.levelId === id));
        const { mode } = p.predict(model.space.encode(defaults), 1);
        const out = targets.map((t) => mode[p.metrics.indexOf(t.metric)]!);
        p.dispose();
        return out;
      });
    } finally {
      model.dispose();
    }
  };
  /** The largest change of any other level's predicted metric, in units of its target tolerance. */
  const worst = (a: number[][], b: number[][]): { share: number; where: string } => {
    let share = 0;
    let where = '';
    a.forEach((row, i) =>
      row.forEach((v, j) => {
        const s = Math.abs(v - b[i]![j]!) / targets[j]!.tolerance;
        if (s > share) [share, where] = [s, `${others[i]} ${targets[j]!.metric}: ${b[i]![j]!.toFixed(4)} → ${v.toFixed(4)}`];
      }),
    );
    return { share, where };
  };

  const control = await predictions(extra(seconds));
  for (const [what, value] of [
    ['in milliseconds', seconds * 1000],
    ['1e300', 1e300],
  ] as const) {
    const { share, where } = worst(await predictions(extra(value)), control);
    console.log(`durationSec ${what}: the largest move is ${(100 * share).toFixed(3)} % of a tolerance (${where})`);
    assert.ok(share <= 0.01, `durationSec ${what} moved ${where}: ${(100 * share).toFixed(2)} % of its tolerance`);
  }
});
