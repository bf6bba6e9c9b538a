// metabalance suggest --project DIR --level ID [--count N] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]
import type { Command } from '../command.js';
import { atLeast, runOnLevels, showParam, storedLevel } from '../ml-common.js';

const usage = `usage: metabalance suggest --project DIR --level ID [--count N] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]

Proposes the next parameter settings worth playtesting on a level: the best predicted setting,
then near-optimal settings where the adapted model is least sure, kept apart from each other.

  --project DIR         the project folder (train a model first)
  --level ID            the level (repeat for several)
  --count N             settings per level (default 3)
  --json                one JSON object a line on stdout, nothing else:
                        {"levelId","params","predicted":{metric:{"mean","std"}},"pMeet","reason"}
  --allow-generation    let the "generation" group move too
  --lock NAME           keep this param fixed (repeatable)
  --seed N              search seed (default 0)
  --stay-near W         weight of staying near the level's current settings (default 2; 0: only the
                        probability of meeting the targets counts; moving one param across half its
                        range costs as much as that probability falling by a factor e^(W/4))

Exit status: 0 done, 2 bad usage, bad input or an unknown level (before any work), 1 otherwise.`;

export const command: Command = {
  name: 'suggest',
  usage,
  run: (argv, io) =>
    runOnLevels(
      argv,
      io,
      { count: { type: 'int' } },
      (flags) => atLeast('count', flags.count, 1),
      ({ service, store, level, flags, opts }) => {
        const suggestions = service.suggest(storedLevel(store, level), flags.count ?? 3, opts);
        for (const [i, s] of suggestions.entries()) {
          if (flags.json) {
            io.out(JSON.stringify({ levelId: level.id, ...s }));
            continue;
          }
          const params = Object.entries(s.params).map(([k, v]) => `${k}=${showParam(v)}`).join(' ');
          const predicted = Object.entries(s.predicted).map(([k, p]) => `${k} ${showParam(p.mean)} ± ${showParam(p.std)}`).join(', ');
          io.out(`${level.id} #${i + 1}: ${params}\n    predicted ${predicted}; pMeet ${s.pMeet.toFixed(2)}\n    ${s.reason}`);
        }
      },
    ),
};
