// The "from scratch" baseline: a small network trained only on one level's K playtests (no
// meta-learning, no context), a 3-member ensemble for its spread.
import type { Level, Playtest } from '../../src/project/types.js';
import { adaptRows } from '../../src/model/adapt.js';
import { levelRows } from '../../src/model/data.js';
import type { MetaModel } from '../../src/model/model.js';
import type { LevelPredictor } from '../../src/model/predictor.js';
import { defaultConfig, newTraining } from '../../src/model/train.js';
import { jointStep } from '../../src/model/trainers.js';
import { adamInit } from '../../src/model/adam.js';
import { Rng } from '../../src/util/rng.js';
import { backendName } from '../../src/model/backend.js';

export function trainScratch(meta: MetaModel, level: Level, playtests: readonly Playtest[], opts: { seed?: number } = {}): LevelPredictor {
  const seed = opts.seed ?? 0;
  const cfg = { ...defaultConfig('joint', seed), context: 0, hidden: 16, steps: 300, batchLevels: 1, lr: 1e-2, weightDecay: 0.1 };
  const corpus = { project: meta.project, levels: [level], playtests };
  const training = newTraining(corpus, cfg, [level.id], [], backendName());
  const rows = levelRows(training, level, playtests);
  if (rows.rows > 0) {
    const adam = adamInit(training.weights);
    for (let s = 0; s < cfg.steps; s++) jointStep(training, [rows], [0], adam, new Rng(seed).fork(s), { lr: cfg.lr, contextLr: 0 });
    adam.m.concat(adam.v).forEach((t) => t.dispose());
  }
  const model = training.model();
  training.dispose();
  const pred = adaptRows(model, rows, 'none');
  return withOwner(pred, model);
}

/** The predictor owns its throw-away model. */
function withOwner(pred: LevelPredictor, model: MetaModel): LevelPredictor {
  const dispose = pred.dispose.bind(pred);
  pred.dispose = () => {
    dispose();
    model.dispose();
  };
  return pred;
}
