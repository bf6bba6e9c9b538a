import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, didYouMean, editDistance } from '../../src/util/did-you-mean.js';

describe('did you mean', () => {
  it('counts edits, a swap of neighbours as one', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('goldpewrave', 'goldperwave'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
  it('finds a wrong capitalization or a typo, and nothing for an unrelated name', () => {
    const params = ['enemyHealth', 'goldPerWave', 'roomCount', 'archetype'];
    assert.equal(closest('goldperwave', params), 'goldPerWave');
    assert.equal(closest('enemyHelth', params), 'enemyHealth');
    assert.equal(closest('roomcount', params), 'roomCount');
    assert.equal(closest('speed', params), undefined);
    assert.equal(closest('integer', ['float', 'int', 'bool', 'choice']), 'int');
    assert.equal(closest('ab', ['xy']), undefined);
    assert.equal(didYouMean('projekt', ['project', 'json'], (s) => `--${s}`), ' (did you mean --project?)');
    assert.equal(didYouMean('zzz', ['project']), '');
  });
});
