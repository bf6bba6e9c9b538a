import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Playtest } from '../../src/project/types.js';
import { PlaytestTable } from '../../src/store/playtest-table.js';

it('a playtest table gives back each playtest as it was stored', () => {
  const stored: Playtest[] = [
    { id: 'a', levelId: 'L1', params: { hp: 80, rate: 0.15, mode: 'ramp', boss: true }, metrics: { won: 1, time: 294.3 }, tester: 'bot', at: '2026-03-02T09:00:00Z' },
    { levelId: 'L2', params: {}, metrics: { time: 1e-9 } },
    // a name first seen after other rows, a value of another kind under a known name, a negative zero
    { id: 'c', levelId: 'L1', params: { boss: false, extra: 'x', hp: -0 }, metrics: { won: 0, other: -1e300 }, tester: 'human' },
    { id: 'd', levelId: 'L3', params: { mode: 'flat', hp: 'high' }, metrics: {}, at: '2026-03-03' },
  ];
  const table = new PlaytestTable();
  // enough rows to make every column grow several times
  const rows = Array.from({ length: 5000 }, (_, i) => ({ ...stored[i % stored.length]!, ...(i % 4 === 1 ? {} : { id: `p${i}` }) }));
  rows.forEach((pt, i) => assert.equal(table.push(pt), i));
  assert.equal(table.length, rows.length);
  rows.forEach((pt, i) => {
    assert.deepEqual(table.get(i), pt);
    assert.equal(table.levelId(i), pt.levelId);
  });
  assert.ok(Object.is(table.get(2).params?.['hp'], -0));
});
