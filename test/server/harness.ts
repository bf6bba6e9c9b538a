// Runs the real `metabalance serve` as a child process on a free port and talks to it over real
// sockets: the listening line, the token file, WebSocket clients and plain HTTP requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcClient, type ConnectOptions } from '../support/rpc-client.js';

/** dist-<x>/test/server → dist-<x>/src/cli/main.js: the CLI built next to this test. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export interface ListeningInfo {
  port: number;
  rpc: string;
  http: string;
  dashboard: string;
  tokenFile: string;
  pid: number;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class Served {
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly proc: ChildProcess,
    readonly info: ListeningInfo,
    readonly token: string,
    readonly dir: string,
    private readonly output: { stdout: string; stderr: string },
  ) {
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get stdout(): string {
    return this.output.stdout;
  }
  get stderr(): string {
    return this.output.stderr;
  }

  connect(opts: ConnectOptions = {}): Promise<RpcClient> {
    return RpcClient.connect(this.info.rpc, { token: this.token, ...opts });
  }

  /** An HTTP request to the server (Host and Authorization may be overridden or dropped with null). */
  http(method: string, pathname: string, body?: string | Buffer, headers: Record<string, string | null> = {}): Promise<HttpReply> {
    const h: Record<string, string> = { host: `127.0.0.1:${this.info.port}`, authorization: `Bearer ${this.token}` };
    if (body !== undefined) h['content-type'] = 'application/json';
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete h[k];
      else h[k] = v;
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.info.port, method, path: pathname, headers: h, setHost: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async rpcPost(body: unknown): Promise<HttpReply> {
    return this.http('POST', '/rpc', typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }

  waitExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `metabalance serve --project dir --port 0 ...args` and resolves once it listens. */
export function serve(dir: string, args: string[] = []): Promise<Served> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--project', dir, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  proc.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`serve did not start within 60 s; stderr:\n${output.stderr}`));
    }, 60_000);
    proc.stdout!.on('data', (c: Buffer) => {
      output.stdout += c.toString();
      const m = /^metabalance: listening (\{.*\})$/m.exec(output.stdout);
      if (!m) return;
      clearTimeout(timer);
      const info = JSON.parse(m[1]!) as ListeningInfo;
      void readFile(info.tokenFile, 'utf8').then((t) => resolve(new Served(proc, info, t.trim(), dir, output)), reject);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited with ${code} before listening; stderr:\n${output.stderr}`), { code, output }));
    });
  });
}

/** Runs `metabalance serve ...args` expecting it to exit by itself (e.g. a port in use). */
export function runServe(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const proc = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Trains a small model through the server and waits for it to be in use. */
export async function trainSmall(client: RpcClient, steps = 60): Promise<string> {
  const { jobId } = await client.call<{ jobId: string }>('model.train', { steps, seed: 0 });
  const finished = await client.waitFor((n) => n.method === 'job.finished' && n.params.jobId === jobId, 120_000);
  if (finished.params.state !== 'succeeded') throw new Error(`training ended ${String(finished.params.state)}: ${JSON.stringify(finished.params.error)}`);
  return (finished.params.result as { modelId: string }).modelId;
}
