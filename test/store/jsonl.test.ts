import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import type { JsonlLine } from '../../src/store/jsonl.js';
import { parseJsonl, streamJsonl } from '../../src/store/jsonl.js';

// Lines that cross read boundaries, a line longer than the read buffer, blank and bad lines, and
// multi-byte characters split between reads, each followed by every kind of ending.
const body = ['{"a":1}', '', '{"long":"' + 'x'.repeat(50) + '"}', 'not json', '  {"b":"é€😀"}  ', '{"c":[1,2,3]}'].join('\n');
const endings = ['\n', '', '\n{"torn":', '\n{"whole":true}'];

it('streaming a JSONL file in reads of any size gives what parsing it whole gives', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-jsonl-'));
  for (const [e, ending] of endings.entries()) {
    const text = body + ending;
    const file = path.join(dir, `f${e}.jsonl`);
    await writeFile(file, text);
    const bytes = Buffer.from(text);
    for (const offset of [0, bytes.indexOf('\n') + 1]) {
      const whole = parseJsonl(bytes.subarray(offset), offset, 5);
      for (let readSize = 1; readSize <= 40; readSize++) {
        const lines: JsonlLine[] = [];
        const streamed = await streamJsonl(file, offset, 5, (batch) => lines.push(...batch), readSize);
        assert.deepEqual({ ...streamed, lines }, whole, `ending ${JSON.stringify(ending)}, offset ${offset}, reads of ${readSize} bytes`);
      }
    }
  }
});

it('streaming a missing file reads nothing', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-jsonl-'));
  assert.deepEqual(await streamJsonl(path.join(dir, 'none.jsonl'), 0, 1, () => assert.fail('no lines')), { lines: [], end: 0, nextLine: 1 });
});
