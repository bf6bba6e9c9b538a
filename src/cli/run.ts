// The CLI dispatcher: top-level help and version, `<command> --help`, and the one place where
// errors become exit statuses (2 for bad usage or input, 1 for anything else).
import { InputError, UsageError, formatProblems } from '../project/errors.js';
import { packageVersion } from '../project/paths.js';
import { StoreLockedError } from '../store/lock.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { CliIo } from './command.js';
import { commands, findCommand } from './commands/index.js';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'metabalance — meta-learned game balancing',
    '',
    'usage: metabalance <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options:',
    '  -h, --help     show help (also: metabalance <command> --help)',
    '  -V, --version  print the version',
    '',
    'exit status: 0 done, 2 bad usage or bad input, 1 anything else',
  ].join('\n');
}

const wantsHelp = (argv: readonly string[]) => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(topHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(packageVersion());
    return 0;
  }
  const helpFor = name === 'help' ? rest[0] : undefined;
  const entry = findCommand(helpFor ?? name);
  if (!entry) {
    if (name === 'help' && helpFor === undefined) {
      io.out(topHelp());
      return 0;
    }
    const names = commands.map((c) => c.name);
    const hint = didYouMean(helpFor ?? name, names, (s) => `"${s}"`);
    io.err(`metabalance: unknown command "${helpFor ?? name}"${hint} (commands: ${names.join(', ')}; see metabalance --help)`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    if (helpFor !== undefined || wantsHelp(rest)) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    return reportError(entry.name, e, io);
  }
}

function reportError(name: string, e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.err(`metabalance ${name}: ${e.problems.map((p) => p.message).join('; ')}`);
    io.err(`see: metabalance ${name} --help`);
    return 2;
  }
  if (e instanceof InputError) {
    for (const line of formatProblems(e.problems)) io.err(line);
    const n = e.problems.length;
    io.err(`metabalance ${name}: ${n} problem${n === 1 ? '' : 's'}${e.summary !== undefined ? `; ${e.summary}` : ''}`);
    return 2;
  }
  if (e instanceof StoreLockedError) {
    io.err(`metabalance ${name}: ${e.message}`);
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(`metabalance ${name}: error: ${err.message}`);
  if (process.env['METABALANCE_DEBUG'] && err.stack) io.err(err.stack);
  return 1;
}
