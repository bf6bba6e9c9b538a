// metabalance loop --project DIR --level ID [--level ID ...] --runner CMD [--batch B] [--rounds N] [--until-pmeet P] [...]
import { UsageError } from '../../project/errors.js';
import type { Level } from '../../project/types.js';
import type { ProjectStore } from '../../store/project-store.js';
import type { CliIo, Command } from '../command.js';
import { atLeast, runOnLevels, showParam, storedLevel, type LevelRunOptions } from '../ml-common.js';
import { runOnce } from '../runner.js';
import type { BalancingService } from '../../balance/service.js';

const usage = `usage: metabalance loop --project DIR --level ID [--level ID ...] --runner CMD [--batch B] [--rounds N]
                       [--until-pmeet P] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]

Closes the designer's loop on a level without a person in it: asks suggest for B settings, plays
each once with CMD, stores every playtest that came back, balances again from all of the level's
playtests, and repeats until pMeet reaches P or N rounds are done. The model is not retrained:
each round sharpens the level's own posterior. Ctrl-C stops after the run in progress; every
playtest reported as stored is on disk.

The runner protocol: CMD runs through the shell once per setting, in the current folder. It reads
one JSON line on stdin, {"levelId","params":{...},"round","index"}, plays that setting once, and
prints one JSON line on stdout, {"metrics":{...},"tester":"..."} ("tester" optional). A non-zero
exit, a run longer than 10 minutes or a line without "metrics" is a failed run: reported on stderr
and not stored. The sample game's runner:
  node dist/samples/crypt-run/runner.js samples/crypt-run/project

  --project DIR         the project folder (train a model first)
  --level ID            the level (repeat for several; one after another)
  --runner CMD          the command that plays one setting (see above)
  --batch B             settings played per round (default 3)
  --rounds N            at most this many rounds (default 3)
  --until-pmeet P       stop once the balanced setting's pMeet is at least P (default 0.9)
  --json                one JSON object a line on stdout per level and round:
                        {"levelId","round","stored","failed","playtestCount","params","predicted","meetsTargets","pMeet"}
  --allow-generation, --lock NAME, --seed N, --stay-near W   as for balance and suggest

Exit status: 0 done (whether or not P was reached), 2 bad usage or input (before any work), 1 otherwise.`;

const EXTRA = {
  runner: { type: 'string' },
  batch: { type: 'int' },
  rounds: { type: 'int' },
  'until-pmeet': { type: 'number' },
} as const;

export const command: Command = {
  name: 'loop',
  usage,
  run: (argv, io) =>
    runOnLevels(
      argv,
      io,
      EXTRA,
      (flags) => {
        if (flags.runner === undefined || flags.runner.trim() === '') throw new UsageError('--runner CMD is required');
        atLeast('batch', flags.batch, 1);
        atLeast('rounds', flags.rounds, 1);
        const p = flags['until-pmeet'];
        if (p !== undefined && !(p > 0 && p <= 1)) throw new UsageError(`--until-pmeet must be in (0, 1] (got ${p})`);
      },
      ({ service, store, level, flags, opts }) =>
        loopLevel(service, store, level, opts, io, {
          runner: flags.runner!,
          batch: flags.batch ?? 3,
          rounds: flags.rounds ?? 3,
          untilPMeet: flags['until-pmeet'] ?? 0.9,
          json: flags.json === true,
        }),
    ),
};

interface LoopSettings {
  runner: string;
  batch: number;
  rounds: number;
  untilPMeet: number;
  json: boolean;
}

async function loopLevel(service: BalancingService, store: ProjectStore, level: Level, opts: LevelRunOptions, io: CliIo, s: LoopSettings): Promise<void> {
  let result = service.balance(storedLevel(store, level), opts);
  io.err(`${level.id}: ${result.playtestCount} playtests, balanced pMeet ${result.pMeet.toFixed(2)}`);
  for (let round = 1; round <= s.rounds && result.pMeet < s.untilPMeet && !io.signal.aborted; round++) {
    const settings = service.suggest(storedLevel(store, level), s.batch, {
      ...opts,
      seed: opts.seed + round,
    });
    let stored = 0;
    let failed = 0;
    for (const [index, sug] of settings.entries()) {
      if (io.signal.aborted) break;
      const run = await runOnce(s.runner, { levelId: level.id, params: sug.params, round, index }, io.cwd, io.signal);
      if (!run.ok) {
        failed++;
        io.err(`${level.id} round ${round} run ${index + 1}: failed (${run.reason}); not stored`);
        continue;
      }
      const playtest = {
        levelId: level.id,
        params: sug.params,
        metrics: run.metrics,
        ...(run.tester ? { tester: run.tester } : {}),
      };
      const r = await store.appendPlaytests([playtest]);
      if (r.rejected.length > 0) {
        failed++;
        const why = r.rejected[0]!.problems.map((p) => `${p.field ? `${p.field}: ` : ''}${p.message}`).join('; ');
        io.err(`${level.id} round ${round} run ${index + 1}: the runner's answer was refused (${why}); not stored`);
        continue;
      }
      stored++;
    }
    result = service.balance(storedLevel(store, level), opts);
    if (s.json) {
      io.out(JSON.stringify({ round, stored, failed, ...result }));
    }
    const params = Object.entries(result.params).map(([k, v]) => `${k}=${showParam(v)}`).join(' ');
    io.err(
      `${level.id} round ${round}/${s.rounds}: ${stored} playtests stored${failed ? `, ${failed} failed` : ''}, ${result.playtestCount} in all; ` +
        `balanced pMeet ${result.pMeet.toFixed(2)}${result.pMeet >= s.untilPMeet ? ` (reached ${s.untilPMeet})` : ''}: ${params}`,
    );
  }
  if (!s.json) {
    const params = Object.entries(result.params).map(([k, v]) => `${k}=${showParam(v)}`).join(' ');
    io.out(`${level.id} (${result.playtestCount} playtests): pMeet ${result.pMeet.toFixed(2)}, ${result.meetsTargets ? 'meets' : 'does NOT meet'} the targets as predicted: ${params}`);
  }
}
