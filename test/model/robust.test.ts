// One implausible value must not poison every level: a duration typed in milliseconds and a 1e300
// are flagged when training and leave the predictions where the clean corpus puts them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pastCorpus } from '../../samples/crypt-run/corpus.js';
import { adaptLevel, initBackend, trainModel, type MetaModel } from '../../src/model/index.js';
import type { ParamValues } from '../../src/project/types.js';
import { smallCorpus } from './fixtures.js';

await initBackend();

test('an implausible metric value is flagged in model.info and not learned', async () => {
  const c = smallCorpus(5, 20, 10);
  const clean = pastCorpus(c);
  const poisoned = structuredClone(clean);
  const [a, b] = [poisoned.playtests[3]!, poisoned.playtests[40]!];
  a.metrics['durationSec'] = a.metrics['durationSec']! * 1000; // milliseconds
  b.metrics['durationSec'] = 1e300;
  const defaults = Object.fromEntries(c.project.params.map((p) => [p.name, p.default])) as ParamValues;
  const duration = (model: MetaModel): number => {
    const level = c.levels.find((l) => l.id === c.newLevelIds[0])!;
    const p = adaptLevel(model, level, c.playtests.filter((q) => q.levelId === level.id));
    const { mode } = p.predict(model.space.encode(defaults), 1);
    p.dispose();
    return mode[p.metrics.indexOf('durationSec')]!;
  };
  const good = await trainModel(clean, { seed: 1, steps: 150 });
  const bad = await trainModel(poisoned, { seed: 1, steps: 150 });
  try {
    const warnings = (bad.info.warnings ?? []) as string[];
    assert.ok(warnings.some((w) => w.includes(`${a.id}: durationSec`) && w.includes(`${b.id}: durationSec 1e+300`)), `warnings: ${JSON.stringify(warnings)}`);
    assert.equal(((good.info.warnings ?? []) as string[]).filter((w) => w.includes('implausible')).length, 0, 'a clean corpus raises no flag');
    const [dg, db] = [duration(good), duration(bad)];
    assert.ok(Math.abs(db - dg) / dg < 0.1, `durationSec predicted ${db.toFixed(1)} with the two bad values, ${dg.toFixed(1)} without`);
  } finally {
    good.dispose();
    bad.dispose();
  }
});
