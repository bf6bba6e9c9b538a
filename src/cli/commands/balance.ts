// metabalance balance --project DIR --level ID [--level ID ...] [--json] [--allow-generation] [--lock NAME ...] [--seed N] [--stay-near W]
import { targetTerms, type BalanceResult } from '../../balance/index.js';
import type { ParamValues, Project } from '../../project/types.js';
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
                        {"levelId","params","current","predicted":{metric:{"mean","std"}},"meetsTargets",
                         "pMeet","playtestCount","keptCurrent","changePMeet","playtestsToConfirm"}
  --allow-generation    let the "generation" group move too
  --lock NAME           keep this param fixed (repeatable)
  --seed N              search seed (default 0)
  --stay-near W         weight of staying near the level's current settings (default 2; 0: only the
                        probability of meeting the targets counts; moving one param across half its
                        range costs as much as that probability falling by a factor e^(W/4))

pMeet is the model's calibrated probability that every target is truly met. When no change is
more likely to meet the targets than the level's current settings, balance says to keep them.
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

/**
 * The human-readable answer: how sure the model is and how many playtests would make it sure, the
 * params against the current settings, then the metrics against the targets.
 */
function describe(project: Project, r: BalanceResult & { current: ParamValues }): string {
  const columns = Object.keys(r.predicted);
  const terms = new Map(targetTerms(project, columns).map((t) => [t.metric, t]));
  const verdict = r.keptCurrent
    ? `keep the current settings: no change found is more likely to meet the targets (pMeet ${r.pMeet.toFixed(2)} as they are, ${r.changePMeet.toFixed(2)} for the best change)`
    : `${r.meetsTargets ? 'meets' : 'does NOT meet'} the targets as predicted`;
  const confirm =
    r.playtestsToConfirm === 0
      ? 'the model is already sure of every target here'
      : `about ${r.playtestsToConfirm} more playtests here would pin every target to its tolerance (95 %)`;
  const lines = [
    `level ${r.levelId} (${r.playtestCount} playtests): pMeet ${r.pMeet.toFixed(2)}; ${confirm}`,
    `  ${verdict}`,
    `  ${'param'.padEnd(24)} ${'current'.padEnd(12)} balanced`,
    ...project.params.map((p) => {
      const now = r.current[p.name];
      const next = r.params[p.name];
      const change = now === next ? '' : typeof now === 'number' && typeof next === 'number' ? `  (${signed(next - now)})` : '  (changed)';
      return `  ${p.name.padEnd(24)} ${showParam(now).padEnd(12)} ${showParam(next)}${change}`;
    }),
    `  ${'metric'.padEnd(24)} ${'predicted'.padEnd(22)} target`,
    ...columns.map((column) => {
      const pred = r.predicted[column]!;
      const t = terms.get(column);
      const within = t ? (Math.abs(pred.mean - t.target) <= t.tolerance ? '  ok' : '  MISS') : '';
      const target = t ? `${t.target} ± ${t.tolerance}${within}` : '–';
      // a segment's column, METRIC@SEGMENT, reads as "METRIC (SEGMENT)"
      const label = column.replace(/@(.*)$/, ' ($1)');
      return `  ${label.padEnd(24)} ${`${showParam(pred.mean)} ± ${showParam(pred.std)}`.padEnd(22)} ${target}`;
    }),
  ];
  if (!r.meetsTargets && !r.keptCurrent) {
    lines.push('  the best trade the search found between the targets and small changes: playtest it (metabalance suggest), then balance again');
  }
  return `${lines.join('\n')}\n`;
}

function signed(d: number): string {
  return `${d > 0 ? '+' : '−'}${showParam(Math.abs(d))}`;
}
