import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectPositionals, parseArgs, required } from '../../src/cli/args.js';
import { UsageError } from '../../src/project/errors.js';

const specs = { project: { type: 'string' }, level: { type: 'string', multiple: true }, steps: { type: 'int' }, rate: { type: 'number' }, json: { type: 'boolean', short: 'j' } } as const;

describe('parseArgs', () => {
  it('reads values, repeated flags, --flag=value, booleans, short aliases and positionals', () => {
    const { flags, positionals } = parseArgs(['--project', 'P', 'FILE', '--level', 'A', '--level=B', '--steps=3', '--rate', '-0.5', '-j', '--', '--not-a-flag'], specs);
    assert.deepEqual(flags, { project: 'P', level: ['A', 'B'], steps: 3, rate: -0.5, json: true });
    assert.deepEqual(positionals, ['FILE', '--not-a-flag']);
  });
  it('leaves absent flags undefined (and repeated ones empty)', () => {
    assert.deepEqual(parseArgs([], specs).flags, { project: undefined, level: [], steps: undefined, rate: undefined, json: undefined });
  });
  const bad: [string[], string][] = [
    [['--bogus'], 'unknown option --bogus'],
    [['--bogus=1'], 'unknown option --bogus'],
    [['--project'], '--project needs a value'],
    [['--project', '--json'], '--project needs a value'],
    [['--steps', 'ten'], '--steps: must be a number (got "ten")'],
    [['--steps', '2.5'], '--steps: must be a whole number (got "2.5")'],
    [['--steps', ''], '--steps: must be a number (got "")'],
    [['--rate', '1e999'], '--rate: must be a number (got "1e999")'],
    [['--json=yes'], '--json takes no value'],
    [['--project', 'a', '--project', 'b'], '--project is given twice'],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')}`, () => assert.throws(() => parseArgs(argv, specs), (e: unknown) => e instanceof UsageError && e.message === message));
  }
  it('required and expectPositionals say what is missing', () => {
    assert.throws(() => required(undefined, '--project DIR'), /--project DIR is required/);
    assert.equal(required('x', '--project DIR'), 'x');
    assert.throws(() => expectPositionals([], 1, 1, 'the FILE'), /missing the FILE/);
    assert.throws(() => expectPositionals(['a', 'b'], 1, 1, 'the FILE'), /unexpected argument "b"/);
  });
});
