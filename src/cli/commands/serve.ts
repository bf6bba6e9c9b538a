// metabalance serve [--project DIR] [--host 127.0.0.1] [--port 8787]
import { UsageError } from '../../project/errors.js';
import { serveUntilSignal } from '../../server/run.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/server.js';
import { expectPositionals, parseArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: metabalance serve [--project DIR] [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}]

Serves the project over JSON-RPC 2.0: WebSocket at /rpc, HTTP POST /rpc, GET /health, and the
dashboard at /. Prints one line on stdout once listening:
  metabalance: listening {"port":…,"rpc":"ws://…/rpc","http":"http://…/","dashboard":"http://…/?token=…","tokenFile":"…","pid":…}
Every request needs "Authorization: Bearer <token>"; the token is in DIR/.metabalance/token (0600),
fresh for every run.

  --project DIR   the project folder (default: the current directory)
  --host HOST     the address to bind (default ${DEFAULT_HOST}; anything but loopback prints a warning)
  --port N        the port (default ${DEFAULT_PORT}; 0 picks a free one)

Ctrl-C or SIGTERM stops it gracefully (training cancelled, writes flushed, connections closed).
Exit status: 0 stopped, 2 bad usage, bad project files or the port in use, 1 otherwise.`;

export const command: Command = {
  name: 'serve',
  usage,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, { project: { type: 'string' }, host: { type: 'string' }, port: { type: 'int' } });
    expectPositionals(positionals, 0, 0, 'nothing');
    if (flags.port !== undefined && (flags.port < 0 || flags.port > 65535)) {
      throw new UsageError(`--port: must be from 0 to 65535 (got ${flags.port})`);
    }
    return serveUntilSignal(
      { projectDir: flags.project ?? io.cwd, host: flags.host ?? DEFAULT_HOST, port: flags.port ?? DEFAULT_PORT },
      { out: (line) => io.out(line), err: (line) => io.err(line), signal: io.signal },
    );
  },
};
