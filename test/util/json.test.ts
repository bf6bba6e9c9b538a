import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, jsonErrorLocation, jsonErrorMessage, jsonLine } from '../../src/util/json.js';

const parseError = (text: string): unknown => {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  assert.fail(`${text} parsed`);
};

describe('json helpers', () => {
  it('canonicalJson ignores key order at every level but not array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [3, 1] } }), canonicalJson({ a: { c: [3, 1], d: 2 }, b: 1 }));
    assert.notEqual(canonicalJson({ a: [1, 3] }), canonicalJson({ a: [3, 1] }));
  });
  it('jsonLine ends in a newline and refuses what JSON would silently turn into null', () => {
    assert.equal(jsonLine({ a: 1 }), '{"a":1}\n');
    assert.throws(() => jsonLine({ a: Number.NaN }), /non-finite number NaN/);
    assert.throws(() => jsonLine(undefined), TypeError);
  });
  it('error messages never echo the input back, whether V8 quotes it whole or cut at either end', () => {
    const torn = '{"id":"torn","levelId":"L1","met{"id":"b","levelId":"L1","params":{"enemyHealth":50}}';
    assert.equal(jsonErrorMessage(parseError(torn)), "Unexpected token 'i'");
    assert.equal(jsonErrorMessage(parseError('{"a":tru}')), "Unexpected token '}'");
    assert.equal(jsonErrorMessage(parseError('{"a" 1}')), "Expected ':' after property name");
  });
  it('locates the error by line and column, also when V8 gives no position', () => {
    assert.deepEqual(jsonErrorLocation(parseError('{\n  "a" 1\n}'), '{\n  "a" 1\n}'), { line: 2, column: 7 });
    assert.deepEqual(jsonErrorLocation(parseError('{\n"a":tru}'), '{\n"a":tru}'), { line: 2, column: 8 });
  });
});
