// The method table and schemas/rpc/ agree: every method has a params and a result schema, every
// notification has a params schema, no schema file is orphaned, and the schemas reject bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allMethods, NOTIFICATIONS } from '../../src/rpc/methods/index.js';
import { SchemaRegistry, describe } from '../../src/rpc/schemas.js';

const schemas = new SchemaRegistry();
const methods = allMethods().map((m) => m.name);

test('the method table is exactly the contract', () => {
  assert.deepEqual([...methods].sort(), [
    'initialize',
    'job.cancel',
    'job.status',
    'level.balance',
    'level.predict',
    'level.suggest',
    'levels.list',
    'levels.upsert',
    'model.info',
    'model.train',
    'playtests.append',
    'playtests.list',
    'project.get',
    'project.update',
    'testers.classify',
  ]);
});

test('every method has params and result schemas; every notification a params schema; no orphans', () => {
  for (const name of methods) {
    assert.ok(schemas.has(name, 'params'), `${name} params`);
    assert.ok(schemas.has(name, 'result'), `${name} result`);
  }
  for (const n of NOTIFICATIONS) assert.ok(schemas.has(`${n}.notification`, 'params'), n);
  const expected = new Set([...methods, ...NOTIFICATIONS.map((n) => `${n}.notification`), 'common']);
  assert.deepEqual(schemas.names.filter((n) => !expected.has(n)), []);
});

test('schema errors name the offending field', () => {
  const errors = describe(schemas.check('level.predict', 'params')({ levelId: 7, params: { enemyHealth: [1] }, extra: true }));
  assert.ok(errors.some((e) => e.startsWith('params.levelId: must be a string')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('params.params.enemyHealth:')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('extra')), errors.join('\n'));
  assert.equal(schemas.check('level.predict', 'params')({ levelId: 'L1', params: { a: 1, b: true, c: 'x' } }), null);
});

test('notification shapes accept what the server sends and reject what it must not', () => {
  const progress = schemas.check('job.progress.notification', 'params');
  assert.equal(progress({ jobId: 'j', step: 3, total: 10, loss: 0.5, valLoss: null, etaSec: 2 }), null);
  assert.notEqual(progress({ jobId: 'j', step: -1, total: 10, loss: 0.5, valLoss: null, etaSec: 2 }), null);
  const changed = schemas.check('project.changed.notification', 'params');
  assert.equal(changed({ what: 'playtests', ids: ['a'] }), null);
  assert.notEqual(changed({ what: 'everything' }), null);
});
