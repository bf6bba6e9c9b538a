// The reply caps under the issue-13 load: 4 clients each send one batch of 256 playtests.list calls
// (limit 10,000) to a real `metabalance serve` on the sample project at once. Measures the server's
// RSS (from /health, sampled every 50 ms) before, at its peak and 2 s after, and how long each
// client waited for its answer. Goals: RSS within +64 MiB, every batch answered within 10 s.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/project/paths.js';
import { RpcClient } from '../test/support/rpc-client.js';
import { markdownTable } from './report.js';
import { startServer } from './rpc.js';

const MiB = 1024 * 1024;

export async function run(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-bench-limits-'));
  await cp(path.join(packageRoot(), 'samples', 'crypt-run', 'project'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}models`) });
  const server = await startServer(dir);
  const clients = await Promise.all(Array.from({ length: 4 }, () => RpcClient.connect(server.info.rpc, { token: server.token })));
  try {
    const batch = JSON.stringify(Array.from({ length: 256 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'playtests.list', params: { limit: 10_000 } })));
    const before = (await server.health()).memory.rss;
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await server.health()).memory.rss);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const answers = await Promise.all(
      clients.map(async (c) => {
        const reply = (await c.sendRaw(batch, 120_000)) as { result?: unknown; error?: { code: number } }[] | null;
        return { ms: performance.now() - t0, served: reply?.filter((r) => r.result).length ?? 0, capped: reply?.filter((r) => r.error?.code === -32008).length ?? 0 };
      }),
    );
    await new Promise((r) => setTimeout(r, 2000));
    sampling = false;
    await sampler;
    const settled = (await server.health()).memory.rss;
    const mib = (b: number): string => (b / MiB).toFixed(0);
    const slowest = Math.max(...answers.map((a) => a.ms));
    return [
      '## Reply caps (4 clients × one batch of 256 playtests.list, limit 1000)',
      '',
      `Sample project (${batch.length} B request each). Each batch: ${answers[0]!.served} calls answered, ${answers[0]!.capped} refused with -32008.`,
      '',
      markdownTable(
        ['RSS before MiB', 'peak MiB', '2 s after MiB', 'peak − before', 'slowest answer s', 'goal'],
        [[mib(before), mib(peak), mib(settled), mib(peak - before), (slowest / 1000).toFixed(2), '≤ +64 MiB, ≤ 10 s']],
      ),
    ].join('\n');
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
