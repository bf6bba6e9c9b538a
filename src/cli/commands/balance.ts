// metabalance balance --project DIR --level ID [--level ID ...] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]
import { targetTerms, type BalanceResult } from '../../balance/index.js';
import type { Project } from '../../project/types.js';
import type { Command } from '../command.js';
import { runOnLevels, showParam, storedLevel } from '../ml-common.js';

const usage = `usage: metabalance balance --project DIR --level ID [--level ID ...] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]

Adapts the latest trained model to each level from that level's playtests (zero playtests: from
its features alone) and searches the parameter space for the setting whose predicted metrics best
meet the project's targets with the smallest change from the level's current settings (the model
is least accurate far from the settings its corpus played). By default only the "balance" group
moves; generation params stay at the values the level's playtests used (else their defaults), and
locked params at their defaults.

  --project DIR         the project folder (train a model first)
  --level ID            a level to balance (repeat for several)
  --json                one JSON object a line on stdout, nothing else:
                        {"levelId","params","predicted":{metric:{"mean","std"}},"meetsTargets","pMeet","playtestCount"}
  --allow-generation    let the "generation" group move too
  --lock NAME           keep this param fixed (repeatable)
  --seed N              search seed (default 0)
  --stay-near W         weight of staying near the level's current settings (default 2; 0: only the
                        probability of meeting the targets counts; moving one param across half its
                        range costs as much as that probability falling by a factor e^(W/4))

pMeet is the model's calibrated probability that every target is truly met.
Exit status: 0 done, 2 bad usage, bad input or an unknown level (before any work), 1 otherwise
(e.g. no trained model).`;

export const command: Command = {
  name: 'balance',
  usage,
  run: (argv, io) =>
    runOnLevels(
      argv,
      io,
      {},
      () => {},
      ({ service, store, level, index, total, flags, opts }) => {
        if (!flags.json) io.err(`balancing ${level.id} (${index + 1}/${total})`);
        const r = service.balance(storedLevel(store, level), opts);
        io.out(flags.json ? JSON.stringify(r) : describe(store.project, r));
      },
    ),
};

/** The human-readable answer: the params, then a metric table against the targets. */
function describe(project: Project, r: BalanceResult): string {
  const terms = new Map(targetTerms(project, project.metrics.map((m) => m.name)).map((t) => [t.metric, t]));
  const lines = [
    `level ${r.levelId} (${r.playtestCount} playtests): ${r.meetsTargets ? 'meets' : 'does NOT meet'} the targets as predicted; pMeet ${r.pMeet.toFixed(2)}`,
    '  params:',
    ...project.params.map((p) => `    ${p.name.padEnd(24)} ${showParam(r.params[p.name])}`),
    `  ${'metric'.padEnd(24)} ${'predicted'.padEnd(22)} target`,
    ...project.metrics.map((m) => {
      const pred = r.predicted[m.name]!;
      const t = terms.get(m.name);
      const within = t ? (Math.abs(pred.mean - t.target) <= t.tolerance ? '  ok' : '  MISS') : '';
      const target = t ? `${t.target} ± ${t.tolerance}${within}` : '–';
      return `  ${m.name.padEnd(24)} ${`${showParam(pred.mean)} ± ${showParam(pred.std)}`.padEnd(22)} ${target}`;
    }),
  ];
  if (!r.meetsTargets) {
    lines.push('  the best trade the search found between the targets and small changes: playtest it, then balance again');
  }
  return `${lines.join('\n')}\n`;
}
