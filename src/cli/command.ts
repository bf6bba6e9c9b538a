// What every command module provides, and the I/O it gets: results on stdout, everything else on
// stderr, so `--json` output can be piped.
import type { Writable } from 'node:stream';

export interface CliIo {
  /** Writes one line of results to stdout. */
  out(line: string): void;
  /** Writes one line of progress, diagnostics or problems to stderr. */
  err(line: string): void;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Whether stderr is a terminal (draw a progress bar only then). */
  readonly stderrIsTTY: boolean;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Aborted on the first Ctrl-C / SIGTERM: long commands should stop cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  name: string;
  /** Full help text shown by `metabalance <name> --help`. */
  usage: string;
  /** Exit status: 0 done, 2 bad usage or input (throw InputError/UsageError to get it), 1 anything else. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** The real process streams. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    signal,
  };
}
