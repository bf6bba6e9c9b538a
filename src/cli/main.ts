#!/usr/bin/env node
// The `metabalance` executable. The first Ctrl-C (or SIGTERM) asks the running command to stop via
// io.signal; a second one, or a command that has not stopped within 5 s, ends the process.
import { processIo } from './command.js';
import { runCli } from './run.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`interrupted by ${sig}`));
    setTimeout(() => process.exit(130), 5000).unref();
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIo(controller.signal));
