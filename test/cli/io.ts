// A CliIo that records what a command printed, for running commands in-process.
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

export interface CapturedIo extends CliIo {
  outLines: string[];
  errLines: string[];
}

export function captureIo(cwd: string): CapturedIo {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return {
    outLines,
    errLines,
    out: (line) => void outLines.push(line),
    err: (line) => void errLines.push(line),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stderrIsTTY: false,
    cwd,
    signal: new AbortController().signal,
  };
}
