// Sidecar latency over a real WebSocket against a real `metabalance serve` child process on the
// sample project: level.predict and level.balance with 1 and 50 concurrent clients, p50/p99 and
// throughput. 50 clients run twice: at a steady rate each (editors working side by side) and as
// closed loops (every client calls again the moment it is answered: the server's saturation).
// While 50 clients call level.balance back to back, one more client calls initialize in a loop: its
// p99 shows whether the event loop stays free (the balancing runs in worker threads). The server
// keeps answers (src/server/answer-cache.ts), so the closed loops are run both ways: 20 levels
// re-asked as a designer's tools do (hits), and every call a new seed (no hits); each row says the
// share of its calls answered from the cache, read from /health.
// Goals (issue 4): level.predict p50 ≤ 2 ms; level.balance p50 ≤ 50 ms with 50 clients.
// Goals (issue 13): 50 clients back to back, level.balance ≥ 100 calls/s with p50 ≤ 100 ms on 2
// cores, initialize p99 ≤ 20 ms meanwhile.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/project/paths.js';
import { RpcClient } from '../test/support/rpc-client.js';
import { log, markdownTable, percentile } from './report.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

interface Listening {
  rpc: string;
  tokenFile: string;
}

/** The part of GET /health the benches read. */
export interface Health {
  memory: { rss: number };
  answers: { hits: number; joined: number; misses: number };
}

function health(rpcUrl: string, token: string): Promise<Health> {
  const url = new URL(rpcUrl.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/health', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Health));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startServer(dir: string): Promise<{ info: Listening; token: string; health: () => Promise<Health>; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--project', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const info = await new Promise<Listening>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^metabalance: listening (\{.*\})$/m.exec(out);
      if (m) resolve(JSON.parse(m[1]!) as Listening);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const token = (await readFile(info.tokenFile, 'utf8')).trim();
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  return { info, token, health: () => health(info.rpc, token), stop };
}

interface Run {
  latencies: number[];
  seconds: number;
}

/** `clients` closed loops sharing `total` calls; `call(client, i)` makes call number i. */
async function closedLoop(clients: RpcClient[], total: number, call: (c: RpcClient, i: number) => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await call(c, i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** `clients` each calling `rate` times a second for `seconds`, whether or not earlier calls are
 *  answered (Unity editors do not wait for each other); latency counts from the planned send time. */
async function openLoop(clients: RpcClient[], rate: number, seconds: number, call: (c: RpcClient, i: number) => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  const started = performance.now();
  const perClient = Math.round(rate * seconds);
  await Promise.all(
    clients.map(async (c, ci) => {
      const calls: Promise<void>[] = [];
      for (let k = 0; k < perClient; k++) {
        const planned = started + ((k + ci / clients.length) / rate) * 1000;
        const wait = planned - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        calls.push(call(c, ci * perClient + k).then(() => void latencies.push(performance.now() - planned)));
      }
      await Promise.all(calls);
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** A run and the share of its calls the server answered without computing them (from /health). */
interface Measured {
  run: Run;
  cached: number | null;
}

function row(method: string, load: string, { run, cached }: Measured, goal: string): (string | number)[] {
  const p50 = percentile(run.latencies, 0.5);
  const p99 = percentile(run.latencies, 0.99);
  const fromCache = cached === null ? '' : `${(100 * cached).toFixed(0)} %`;
  return [method, load, run.latencies.length, p50.toFixed(2), p99.toFixed(2), (run.latencies.length / run.seconds).toFixed(0), fromCache, goal];
}

export async function run(opts: { quick: boolean }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-bench-rpc-'));
  await cp(path.join(packageRoot(), 'samples', 'crypt-run', 'project'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}models`) });
  const server = await startServer(dir);
  const all: RpcClient[] = [];
  try {
    const first = await RpcClient.connect(server.info.rpc, { token: server.token });
    all.push(first);
    const steps = opts.quick ? 100 : 300;
    log(`  rpc: training a ${steps}-step model on the sample project through the server…`);
    const { jobId } = await first.call<{ jobId: string }>('model.train', { steps, seed: 0 });
    const done = await first.waitFor((n) => n.method === 'job.finished' && n.params.jobId === jobId, 600_000);
    if (done.params.state !== 'succeeded') throw new Error(`training ${String(done.params.state)}`);
    const withPlaytests = (await first.call<{ levels: { id: string; playtestCount: number }[] }>('levels.list')).levels
      .filter((l) => l.playtestCount > 0)
      .map((l) => l.id);
    const levels = withPlaytests.slice(0, 20);
    /** levels no call has adapted yet: each such call adapts as well as searches */
    const coldLevels = withPlaytests.slice(20);
    // adaptation is cached per (model, level, playtests): measure the steady state a slider sees
    const warm = Date.now();
    for (const id of levels) await first.call('level.predict', { levelId: id, params: {} });
    log(`  rpc: adapted ${levels.length} levels in ${((Date.now() - warm) / 1000).toFixed(1)} s`);
    const fifty = [first, ...(await Promise.all(Array.from({ length: 49 }, () => RpcClient.connect(server.info.rpc, { token: server.token }))))];
    all.push(...fifty.slice(1));

    // Every call of these is a request not made before (its own seed or settings: the server's
    // answer cache cannot help), so they measure computing; `reasked` is what a designer's tools
    // send again and again (the same levels, default settings), `mixed` one new request in ten.
    let serial = 0;
    const predict = (c: RpcClient) => {
      const k = serial++;
      return c.call('level.predict', { levelId: levels[k % levels.length]!, params: { enemyHealth: 20 + ((k * 7.919) % 280) } });
    };
    const balance = (c: RpcClient) => {
      const seed = serial++;
      return c.call('level.balance', { levelId: levels[seed % levels.length]!, seed });
    };
    const balanceCold = (c: RpcClient, i: number) => c.call('level.balance', { levelId: coldLevels[i % coldLevels.length]!, seed: serial++ });
    const reasked = (c: RpcClient, i: number) => c.call('level.balance', { levelId: levels[i % levels.length]! });
    const mixed = (c: RpcClient, i: number) => (i % 10 === 9 ? balance(c) : reasked(c, i));
    /** `work`, with the share of its calls answered from the cache (kept answers and joined computations) */
    const measured = async (work: () => Promise<Run>): Promise<Measured> => {
      const before = (await server.health()).answers;
      const run = await work();
      const after = (await server.health()).answers;
      const cached = after.hits - before.hits + (after.joined - before.joined);
      return { run, cached: cached / (cached + after.misses - before.misses) };
    };
    const prober = await RpcClient.connect(server.info.rpc, { token: server.token });
    all.push(prober);
    /** `run` while the prober calls initialize back to back; the initialize latencies come back too */
    const probed = async (work: () => Promise<Run>): Promise<{ run: Measured; init: Measured }> => {
      const init: Run = { latencies: [], seconds: 0 };
      let running = true;
      const started = performance.now();
      const probing = (async () => {
        while (running) {
          const t0 = performance.now();
          await prober.call('initialize', {});
          init.latencies.push(performance.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const run = await measured(work);
      running = false;
      await probing;
      init.seconds = (performance.now() - started) / 1000;
      return { run, init: { run: init, cached: null } };
    };
    const n = opts.quick
      ? { p1: 300, p50: 2000, b1: 20, b50: 100, hot: 1000, secs: 5 }
      : { p1: 2000, p50: 10000, b1: 60, b50: 300, hot: 5000, secs: 15 };
    const cold = Math.min(n.b50, coldLevels.length);
    await closedLoop([first], 100, predict); // JIT warm-up, not reported
    const rows = [
      row('level.predict', '1 client, closed loop', await measured(() => closedLoop([first], n.p1, predict)), 'p50 ≤ 2 ms'),
      row('level.predict', '50 clients × 10/s', await measured(() => openLoop(fifty, 10, n.secs, predict)), 'p50 ≤ 2 ms'),
      row('level.predict', '50 clients, closed loop', await measured(() => closedLoop(fifty, n.p50, predict)), '(saturation)'),
      row('level.balance', '1 client, closed loop', await measured(() => closedLoop([first], n.b1, balance)), ''),
      row('level.balance', '50 clients × 0.4/s', await measured(() => openLoop(fifty, 0.4, n.secs * 2, balance)), 'p50 ≤ 50 ms'),
    ];
    const goal = '≥ 100 calls/s, p50 ≤ 100 ms';
    const loops: [string, () => Promise<Run>][] = [
      [`50 clients, closed loop, ${levels.length} levels re-asked (default settings)`, () => closedLoop(fifty, n.hot, reasked)],
      [`50 clients, closed loop, ${levels.length} levels, 1 call in 10 a new seed`, () => closedLoop(fifty, n.hot / 5, mixed)],
      [`50 clients, closed loop, ${levels.length} levels adapted before, every call a new seed`, () => closedLoop(fifty, n.b50, balance)],
      [`50 clients, closed loop, ${cold} levels never adapted, every call a new seed`, () => closedLoop(fifty, cold, balanceCold)],
    ];
    for (const [load, work] of loops) {
      const { run, init } = await probed(work);
      rows.push(row('level.balance', load, run, goal), row('initialize', '1 client, meanwhile', init, 'p99 ≤ 20 ms'));
    }
    return [
      '## Sidecar latency (JSON-RPC over WebSocket)',
      '',
      `Real \`metabalance serve\` child process on a copy of the sample project (${steps}-step model), clients in the`,
      'benchmark process; 20 levels, adapted once beforehand (cached per model, level and playtest count).',
      '"closed loop": each client calls again as soon as it is answered; "× r/s": each client calls r times a second',
      'regardless (latency from the planned send time). level.balance, level.suggest and level.predict run in',
      `the server's pool of balancing worker threads (one per core; ${availableParallelism()} here), a level always on the same one;`,
      'under saturation a call waits behind the calls queued on its worker. "initialize, meanwhile": one more client',
      'calling initialize back to back (5 ms apart) during the closed loop above it. "from cache": the share of the',
      "row's calls the server answered without computing them (its answer cache, from /health); every row but the",
      're-asked ones sends requests never made before (a new seed or new settings per call).',
      '',
      markdownTable(['method', 'load', 'calls', 'p50 ms', 'p99 ms', 'calls/s', 'from cache', 'goal'], rows),
    ].join('\n');
  } finally {
    await Promise.all(all.map((c) => c.close()));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
