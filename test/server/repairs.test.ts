// `serve` on a folder whose last playtest line was torn by a crash: the line is cut away and kept
// under .metabalance/repaired/ as before, and now said so on stderr and in initialize's repairs.
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { SchemaRegistry } from '../../src/rpc/schemas.js';
import { makeProjectDir } from './fixture.js';
import { serve } from './harness.js';

interface Repair {
  file: string;
  line: number;
  action: string;
  savedTo?: string;
  message: string;
}

test('a torn last line repaired on open is reported on stderr and in initialize', async () => {
  const dir = await makeProjectDir({ levels: 2, playtestsPerLevel: 3 });
  const torn = '{"id":"torn-1","levelId":"L00';
  await appendFile(path.join(dir, 'playtests.jsonl'), torn);
  const server = await serve(dir);
  const client = await server.connect();
  try {
    assert.match(server.stderr, /^metabalance: repaired: playtests\.jsonl:7: removed an incomplete last line \(29 bytes\)/m);
    const init = await client.call<{ repairs: Repair[] }>('initialize', {});
    assert.equal(new SchemaRegistry().check('initialize', 'result')(init), null);
    assert.equal(init.repairs.length, 1);
    const [repair] = init.repairs;
    assert.equal(repair!.file, 'playtests.jsonl');
    assert.equal(repair!.line, 7);
    assert.equal(repair!.action, 'removed-torn-line');
    assert.match(repair!.message, /^playtests\.jsonl:7: removed an incomplete last line/);
    assert.equal((await readFile(path.join(dir, repair!.savedTo!), 'utf8')).trim(), torn);
  } finally {
    await client.close();
    await server.stop();
  }
  // Repaired once: the next serve has nothing to report.
  const again = await serve(dir);
  const c2 = await again.connect();
  try {
    assert.deepEqual((await c2.call<{ repairs: Repair[] }>('initialize', {})).repairs, []);
    assert.doesNotMatch(again.stderr, /repaired:/);
  } finally {
    await c2.close();
    await again.stop();
  }
});
