// playtests.append flags metric values no corpus explains (issue 13, item 8) with the same rule as
// `import`: a warning naming the request's record index and field, the value stored all the same;
// with `strict` the whole call is refused and nothing of it is stored.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { RpcCallError } from '../support/rpc-client.js';
import { fixturePlaytest, makeProjectDir } from './fixture.js';
import { serve } from './harness.js';

interface AppendReply {
  accepted: string[];
  duplicates: string[];
  rejected: unknown[];
  warnings?: { index: number; id?: string; field: string; message: string }[];
}

const storedLines = async (dir: string): Promise<string[]> => (await readFile(path.join(dir, 'playtests.jsonl'), 'utf8')).trim().split('\n');

test('playtests.append warns about a duration in milliseconds and about 1e300, stores them, and strict refuses the call', async () => {
  const dir = await makeProjectDir({ levels: 5, playtestsPerLevel: 8 });
  const server = await serve(dir);
  const client = await server.connect();
  try {
    const rng = new Rng(5);
    const plain = (id: string) => fixturePlaytest(rng, 'L001', 0, id);
    const withDuration = (id: string, durationSec: number) => {
      const p = plain(id);
      return { ...p, metrics: { ...(p['metrics'] as object), durationSec } };
    };
    const before = (await storedLines(dir)).length;

    const reply = await client.call<AppendReply>('playtests.append', { playtests: [plain('ok-1'), withDuration('ms-1', 612_000), plain('ok-2'), withDuration('huge-1', 1e300)] });
    assert.deepEqual(reply.accepted, ['ok-1', 'ms-1', 'ok-2', 'huge-1']);
    assert.deepEqual(
      reply.warnings?.map((w) => [w.index, w.id, w.field]),
      [
        [1, 'ms-1', 'metrics.durationSec'],
        [3, 'huge-1', 'metrics.durationSec'],
      ],
    );
    assert.match(reply.warnings![0]!.message, /^612000 is far outside what the stored playtests show \(median \d+;/);
    assert.match(reply.warnings![1]!.message, /^1e\+300 is larger than any game's metric/);
    assert.equal((await storedLines(dir)).length, before + 4, 'flagged, not refused: all four stored');

    // an ordinary append answers without warnings; re-sending a flagged one is a duplicate, not a new warning
    const again = await client.call<AppendReply>('playtests.append', { playtests: [plain('ok-3'), withDuration('ms-1', 612_000)] });
    assert.deepEqual(again.accepted, ['ok-3']);
    assert.equal(again.warnings, undefined);

    const refused = await client.call('playtests.append', { strict: true, playtests: [plain('ok-4'), withDuration('ms-2', 540_000)] }).then(
      () => assert.fail('strict must refuse'),
      (e: unknown) => e as RpcCallError,
    );
    assert.ok(refused instanceof RpcCallError);
    assert.equal(refused.code, -32005, "invalid input");
    assert.match(JSON.stringify(refused.error), /playtests\[1\]\.metrics\.durationSec: 540000 is far outside/);
    assert.equal((await storedLines(dir)).length, before + 5, 'nothing of the strict call stored');

    const strictOk = await client.call<AppendReply>('playtests.append', { strict: true, playtests: [plain('ok-5')] });
    assert.deepEqual(strictOk.accepted, ['ok-5']);
  } finally {
    await client.close();
    await server.stop();
  }
});
