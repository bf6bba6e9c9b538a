import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProjectStore } from '../../src/store/project-store.js';
import { Rng } from '../../src/util/rng.js';
import { makeProjectDir } from '../project/fixtures.js';
import { spawnFixture } from './child.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// hold: the child holds the writer lock for its lifetime (the server); shared: it takes the lock per
// write (the CLI), so a kill can land while the lock file is fresh or while no lock is held.
for (const mode of ['hold', 'shared'] as const) {
  describe(`durability (${mode} lock)`, () => {
    it('every acknowledged playtest survives SIGKILL mid-storm, and the folder loads', async () => {
      const dir = await makeProjectDir();
      const rng = new Rng(20261122);
      const acknowledged: string[] = [];
      const rounds = 6;
      const repairs: string[] = [];
      for (let round = 0; round < rounds; round++) {
        // each round must also take over any lock the killed child left behind
        const child = spawnFixture('append-storm', [dir, `r${round}`, mode, '0']);
        await child.waitFor((l) => l === 'ready');
        await child.waitFor((l) => l !== 'ready'); // at least one acknowledged append
        await sleep(rng.int(5, 150));
        child.proc.kill('SIGKILL');
        assert.equal(await child.exited, 'SIGKILL', child.stderr());
        acknowledged.push(...child.lines.filter((l) => l !== 'ready' && l !== ''));

        const store = await ProjectStore.open(dir);
        const stored = new Set(store.playtests().map((p) => p.id));
        const lost = acknowledged.filter((id) => !stored.has(id));
        assert.deepEqual(lost, [], `round ${round}: acknowledged but missing`);
        for (const r of store.repairs) assert.match(r, /^playtests\.jsonl:\d+: (removed an incomplete last line|added the missing newline)/);
        repairs.push(...store.repairs);
        await store.close();
      }
      assert.ok(acknowledged.length >= rounds, `only ${acknowledged.length} acknowledged`);
      console.log(`# ${mode}: ${acknowledged.length} playtests acknowledged over ${rounds} kills; ${repairs.length} torn lines repaired`);
    });
  });
}
