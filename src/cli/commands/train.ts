// metabalance train --project DIR [--steps N] [--seed N] [--algorithm A] [--verbose] [--json]
import { backendName, initBackend } from '../../model/backend.js';
import { ALGORITHMS, trainResumable, type Algorithm } from '../../model/index.js';
import { saveModel } from '../../store/model-store.js';
import { UsageError } from '../../project/errors.js';
import { CurveRecorder } from '../../util/training-curve.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { atLeast, noPositionals, Progress, projectDir } from '../ml-common.js';
import { openProject } from '../open-project.js';

const usage = `usage: metabalance train --project DIR [--steps N] [--seed N] [--algorithm joint|reptile|reptile-plain|fomaml] [--verbose] [--json]

Meta-trains the surrogate model on every level's playtests and saves it as DIR/models/<modelId>/
(balance and suggest use the newest one). Deterministic: the same folder and seed give the same model.

  --project DIR      the project folder
  --steps N          optimizer steps / meta-iterations (default: the model's own, with early stopping)
  --seed N           random seed (default 0)
  --algorithm A      joint (default), reptile, reptile-plain (no per-level context; a reference), or
                     fomaml (first-order MAML: the query loss's gradient at the support-adapted weights)
  --verbose          also print the backend choice and the model's hyper-parameters on stderr
  --json             print the result as one JSON object on stdout

How training is scored: about 10 % of the levels are held out. Every so often the model is adapted
to each held-out level from 5 of its playtests and scores the others: the validation NLL is their
mean negative log-likelihood per playtest under the model's predictive distribution (lower is
better). Continuous metrics are scored as densities of standardized values, which can exceed 1, so
the NLL — and the training loss beside it, the same kind of quantity on the training levels — can go
below zero. Training stops early when the validation NLL has not improved for 8 evaluations, and
the saved model keeps the weights of its best validation step.

Warnings (stderr, model.info.warnings, "warnings" in --json) say when not to trust the model yet:
held-out levels predicted no better from their own playtests than without them, validation that
stopped improving in the first tenth of the steps, a large corpus whose levels the steps showed the
network fewer than 30 times each while validation was still improving (with the --steps that would),
or metric values so far from the rest of the corpus (a duration in milliseconds) that they were
treated as errors and not learned.

Progress goes to stderr (a bar on a terminal). Ctrl-C stops training and saves nothing.
Exit status: 0 trained and saved, 2 bad usage or bad project files, 1 otherwise.`;

/** The validation outcome in words: which step's weights the model keeps, and on what it was scored. */
function validationLine(v: Record<string, number>): string {
  const { nll, bestStep, levels, adaptPlaytests } = v;
  if (nll === undefined) return '  validation: none (too few levels to hold any out); the model keeps the last step\'s weights';
  return (
    `  validation NLL ${Number(nll.toPrecision(4))} (lower is better) at step ${bestStep}, the best, whose weights the model keeps; ` +
    `scored on ${levels} held-out levels adapted on ${adaptPlaytests} playtests each`
  );
}

export const command: Command = {
  name: 'train',
  usage,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, {
      project: { type: 'string' },
      steps: { type: 'int' },
      seed: { type: 'int' },
      algorithm: { type: 'string' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    noPositionals(positionals);
    const dir = projectDir(flags.project, io.cwd);
    const steps = atLeast('steps', flags.steps, 1);
    const seed = atLeast('seed', flags.seed, 0) ?? 0;
    const algorithm = flags.algorithm as Algorithm | undefined;
    if (algorithm !== undefined && !ALGORITHMS.includes(algorithm)) {
      throw new UsageError(`--algorithm must be one of ${ALGORITHMS.join(', ')} (got "${flags.algorithm}")`);
    }
    const store = await openProject(dir, io);
    try {
      const levels = store.levels();
      const playtests = store.eachPlaytest();
      const backend = await initBackend();
      io.err(`metabalance: training on ${levels.length} levels, ${store.playtestCount} playtests (backend ${backend}, seed ${seed}${algorithm ? `, ${algorithm}` : ''})`);
      const bar = new Progress(io.stderr, io.stderrIsTTY);
      const started = Date.now();
      const curve = new CurveRecorder();
      let planned = steps ?? 0;
      let trained;
      try {
        trained = await trainResumable(
          { project: store.project, levels, playtests },
          {
            seed,
            signal: io.signal,
            ...(steps === undefined ? {} : { steps }),
            ...(algorithm === undefined ? {} : { algorithm }),
            onProgress: (p) => {
              curve.add(p);
              planned = p.total;
              bar.update(
                p.step,
                p.total,
                `step ${p.step}/${p.total} loss ${p.loss.toFixed(4)}${p.valLoss === null ? '' : ` val ${p.valLoss.toFixed(4)}`} ETA ${Math.ceil(p.etaSec)} s`,
              );
            },
          },
        );
      } catch (err) {
        if (!io.signal.aborted) throw err;
        bar.done();
        io.err('metabalance: training interrupted; nothing saved');
        return 1;
      }
      const model = trained.model.with({ info: { ...trained.model.info, trainingCurve: curve.saved() } });
      const info = model.info;
      const bestStep = info.validation['bestStep'];
      const stoppedEarly = info.steps < planned;
      bar.done(stoppedEarly ? `stopped early at step ${info.steps} (best validation at step ${bestStep})` : undefined);
      try {
        const modelId = await saveModel({ model, training: trained.training }, dir);
        if (flags.verbose) io.err(`metabalance: backend ${backendName()}; model info ${JSON.stringify(info)}`);
        const warnings = Array.isArray(info['warnings']) ? (info['warnings'] as string[]) : [];
        for (const w of warnings) io.err(`metabalance: warning: ${w}`);
        const result = {
          modelId,
          algorithm: info.algorithm,
          seed: info.seed,
          steps: info.steps,
          plannedSteps: planned,
          stoppedEarly,
          backend: info.backend,
          corpus: info.corpus,
          validation: info.validation,
          warnings,
          seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
        };
        if (flags.json) io.out(JSON.stringify(result));
        else {
          const ran = stoppedEarly ? `stopped early at step ${info.steps} of ${planned}` : `${info.steps} steps`;
          io.out(
            `trained model ${modelId}: ${info.algorithm}, ${ran}, seed ${info.seed}, backend ${info.backend}, ` +
              `${info.corpus.levels} levels / ${info.corpus.playtests} playtests, ${result.seconds} s`,
          );
          io.out(validationLine(info.validation));
        }
        return 0;
      } finally {
        model.dispose();
      }
    } finally {
      await store.close();
    }
  },
};
