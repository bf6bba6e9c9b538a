#!/usr/bin/env node
// The `metabalance` executable. The first Ctrl-C (or SIGTERM) asks the running command to stop via
// io.signal; a second one, or a command that has not stopped within 5 s, ends the process.
import { processIo } from './command.js';
import { runCli } from './run.js';

const controller = new AbortController();
function stop(why: string): void {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error(`interrupted by ${why}`));
  setTimeout(() => process.exit(130), 5000).unref();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop(sig));
// A reader that has seen enough (`metabalance testers | head`) closes the pipe: stop the command as
// Ctrl-C would, without a stack trace, and drop what it still writes.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (!controller.signal.aborted) stop('a closed stdout');
});

process.exitCode = await runCli(process.argv.slice(2), processIo(controller.signal));
