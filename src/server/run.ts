// `serve` from start to exit: the one stdout line a launcher parses, a warning when bound beyond
// loopback, and a graceful stop when `signal` aborts (the CLI aborts it on SIGINT/SIGTERM).
import { isLoopbackHost } from './guard.js';
import { ListenError, startServer, type ServeOptions } from './server.js';

export interface ServeIo {
  /** one line on stdout */
  out(line: string): void;
  /** one line on stderr */
  err(line: string): void;
  /** aborted when the server should stop */
  signal: AbortSignal;
}

/** Serves until `io.signal` aborts; resolves to the exit status (2: could not listen). */
export async function serveUntilSignal(opts: ServeOptions, io: ServeIo): Promise<number> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    io.err(`metabalance: warning: listening on ${host}, beyond loopback: anyone who can reach it and has the token can drive the sidecar`);
  }
  let server;
  try {
    server = await startServer({ ...opts, log: (m) => io.err(m) });
  } catch (err) {
    if (err instanceof ListenError) {
      io.err(`metabalance: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const line = {
    port: server.port,
    rpc: server.urls.rpc,
    http: server.urls.http,
    dashboard: server.urls.dashboard,
    tokenFile: server.tokenFile,
    pid: process.pid,
  };
  for (const r of server.repairs) io.err(`metabalance: repaired: ${r.message}`);
  io.out(`metabalance: listening ${JSON.stringify(line)}`);
  // The token is printed once, in the line above (and kept in the 0600 token file).
  io.err(`metabalance: serving ${server.projectDir}; dashboard: ${server.urls.http} (open the dashboard link in the line above)`);
  if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
  io.err('metabalance: shutting down');
  await server.close();
  io.err('metabalance: stopped');
  return 0;
}
