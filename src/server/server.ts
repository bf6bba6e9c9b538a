// Assembles the sidecar: store, model, jobs, the RPC core and both transports on one port, and
// takes them down again in order (jobs cancelled, writes flushed, sockets closed, lock released).
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { initBackend } from '../model/index.js';
import { Dispatcher } from '../rpc/dispatcher.js';
import { allMethods } from '../rpc/methods/index.js';
import { SchemaRegistry } from '../rpc/schemas.js';
import type { RpcServices } from '../rpc/services.js';
import { ProjectStore, type Repair } from '../store/project-store.js';
import { SerialQueue } from '../util/serial-queue.js';
import { RpcEndpoint } from './endpoint.js';
import { ConnectionCap } from './connections.js';
import { Guard } from './guard.js';
import { httpApp } from './http-transport.js';
import { TrainingJobs } from './jobs.js';
import { LIMITS } from './limits.js';
import { AnswerCache } from './answer-cache.js';
import { BalancingPool } from './balancing-pool.js';
import { LocalBalancing } from './local-balancing.js';
import { ModelRegistry } from './models.js';
import { newToken, removeToken, writeToken } from './token.js';
import { WsTransport } from './ws-transport.js';

export interface ServeOptions {
  projectDir: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** check every result against its schema (default: on; results are small) */
  validateResults?: boolean;
  /** worker threads that balance, suggest and predict (default: one per core; 0: on the event loop) */
  balancingWorkers?: number;
  log?: (message: string) => void;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly urls: { rpc: string; http: string; dashboard: string };
  readonly token: string;
  readonly tokenFile: string;
  readonly projectDir: string;
  /** what opening the project repaired */
  readonly repairs: readonly Repair[];
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;

/** The server could not listen (EADDRINUSE, EACCES ...): the CLI exits 2 with this message. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use (another metabalance serve?): choose another with --port N, or --port 0 for a free one`
          : `cannot listen on ${host}:${port}: ${err.message}`;
      reject(new ListenError(why, err.code));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const store = await ProjectStore.open(opts.projectDir, { holdLock: true });
  const models = new ModelRegistry();
  let pool: BalancingPool | undefined;
  try {
    const backend = await initBackend();
    try {
      await models.loadLatest(store.dir, store.project);
    } catch (err) {
      // A model that no longer fits project.json (the designer changed the params) must not keep
      // the sidecar down: model.train through it is the way to a model that fits.
      log(`metabalance: warning: not using the saved model: ${(err as Error).message}`);
    }
    const workers = opts.balancingWorkers ?? availableParallelism();
    if (workers > 0) pool = new BalancingPool(models, () => store.project, log, workers);
    const token = newToken();
    let port = opts.port ?? DEFAULT_PORT;
    const guard = new Guard({ token, host, port: () => port });
    const writes = new SerialQueue();
    // The WebSocket transport needs the dispatcher, which needs the jobs, which broadcast over it.
    let ws: WsTransport | undefined;
    const broadcast: RpcServices['broadcast'] = (m, except) => ws?.broadcast(m, except);
    const jobs = new TrainingJobs({
      projectDir: store.dir,
      corpus: () => ({ project: store.project, levels: store.levels(), playtests: store.playtests() }),
      broadcast,
      adopt: async (modelId) => {
        const loaded = await models.loadLatest(store.dir, store.project);
        if (!loaded) throw new Error(`model ${modelId} was saved but no complete model folder was found`);
        return { modelId: loaded.id, info: { ...loaded.model.info, modelId: loaded.id } };
      },
      log,
    });
    const answers = new AnswerCache(pool ?? new LocalBalancing(models), models);
    const services: RpcServices = {
      store,
      models,
      balancing: answers,
      jobs,
      backend: () => backend,
      broadcast,
      exclusive: (write) => writes.run(write),
    };
    const dispatcher = new Dispatcher(allMethods(), new SchemaRegistry(), {
      maxBatch: LIMITS.batch,
      maxReplyBytes: LIMITS.replyBytes,
      maxBatchReplyBytes: LIMITS.batchReplyBytes,
      validateResults: opts.validateResults ?? true,
      log,
    });
    const endpoint = new RpcEndpoint(dispatcher, services);
    // The server comes before the app: the connection cap counts its sockets.
    const server = createServer({
      headersTimeout: LIMITS.requestTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
      // Node checks the timeouts every 30 s by default: far too coarse for a 10 s limit.
      connectionsCheckingInterval: 1000,
    });
    const connections = new ConnectionCap(server, LIMITS.connections);
    const app = httpApp({
      guard,
      connections,
      endpoint,
      health: () => {
        const { rss, heapUsed } = process.memoryUsage();
        return {
          project: store.project.name,
          model: models.current()?.id ?? null,
          clients: ws?.size ?? 0,
          memory: { rss, heapUsed },
          answers: answers.stats(),
        };
      },
    });
    server.on('request', app);
    const transport = (ws = new WsTransport(server, guard, connections, endpoint, log));
    port = await listen(server, port, host);
    const tokenFile = await writeToken(store.dir, token);
    const base = `${urlHost(host)}:${port}`;
    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      server.close();
      // What is being answered is answered (an acknowledged write is a durable one, and a durable
      // one is acknowledged), bounded so that a stuck call cannot hold the process.
      const [drained] = await Promise.all([endpoint.drain(LIMITS.shutdownDrainMs), jobs.shutdown()]);
      if (!drained) log(`metabalance: warning: requests still running after ${LIMITS.shutdownDrainMs} ms were cut off by the shutdown`);
      await writes.idle();
      await pool?.close();
      await transport.close();
      server.closeAllConnections();
      models.dispose();
      await store.close();
      await removeToken(store.dir);
    };
    return {
      port,
      host,
      token,
      tokenFile,
      projectDir: store.dir,
      repairs: store.repairLog,
      urls: { rpc: `ws://${base}/rpc`, http: `http://${base}/`, dashboard: `http://${base}/?token=${token}` },
      close: () => (closing ??= close()),
    };
  } catch (err) {
    await pool?.close();
    models.dispose();
    await store.close();
    throw err;
  }
}

