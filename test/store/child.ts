// Spawning the compiled store fixtures as real child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface Child {
  proc: ChildProcess;
  /** Every complete stdout line so far. */
  lines: string[];
  /** Resolves when a stdout line satisfies `pred`. */
  waitFor(pred: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stderr(): string;
}

export function spawnFixture(name: string, args: string[]): Child {
  const proc = spawn(process.execPath, [path.join(fixtures, `${name}.js`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let errText = '';
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errText += chunk));
  const exited = new Promise<number | string>((resolve) => proc.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    lines,
    exited,
    stderr: () => errText,
    waitFor: (pred) =>
      new Promise((resolve, reject) => {
        const found = lines.find(pred);
        if (found !== undefined) return resolve(found);
        waiters.push({ pred, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before the expected line; stderr: ${errText}`)));
      }),
  };
}
