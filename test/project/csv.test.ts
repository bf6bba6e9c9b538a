import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvColumnOf, csvKind, csvToRecords } from '../../src/project/csv-records.js';
import { formatProblem } from '../../src/project/errors.js';
import { parseProject } from '../../src/project/validate.js';
import { CsvSyntaxError, parseCsv } from '../../src/util/csv.js';
import { exampleProjectFile } from './fixtures.js';

const project = parseProject(exampleProjectFile());

describe('parseCsv', () => {
  it('reads quoted cells with "" escapes, commas and newlines inside, CRLF, a BOM, blank lines', () => {
    const rows = parseCsv('\ufeffid,description\r\nL1,"a ""big"", room"\r\n\r\nL2,"two\nlines"\nL3, plain \n');
    assert.deepEqual(rows, [
      { line: 1, cells: ['id', 'description'] },
      { line: 2, cells: ['L1', 'a "big", room'] },
      { line: 4, cells: ['L2', 'two\nlines'] },
      { line: 6, cells: ['L3', 'plain'] },
    ]);
  });
  it('keeps empty cells and the last row without a newline', () => {
    assert.deepEqual(parseCsv('a,b,c\n1,,3'), [{ line: 1, cells: ['a', 'b', 'c'] }, { line: 2, cells: ['1', '', '3'] }]);
  });
  it('names the line of a syntax error', () => {
    assert.throws(() => parseCsv('a\n"x"y\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /after a closing quote/.test(e.message));
    assert.throws(() => parseCsv('a\nb\n"never closed\n\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 3 && /never closed/.test(e.message));
  });
});

describe('csvToRecords', () => {
  it('tells playtests from levels by the header', () => {
    assert.equal(csvKind(['levelId', 'metric.won']), 'playtests');
    assert.equal(csvKind(['id', 'param.enemyHealth']), 'playtests');
    assert.equal(csvKind(['id', 'feature.area']), 'levels');
    assert.equal(csvColumnOf('params.enemyHealth'), 'param.enemyHealth');
    assert.equal(csvColumnOf('levelId'), 'levelId');
  });
  it('converts cells by the declared types; an empty cell is a missing value', () => {
    const rows = parseCsv(
      'levelId,param.enemyHealth,param.roomCount,param.bossEnabled,param.archetype,metric.won,metric.durationSec,tester,id\n' +
        'L1,80,4,TRUE,melee,1,400.5,bot:a,p1\n' +
        'L2,,,false,,FALSE,,,p2\n',
    );
    const out = csvToRecords(project, rows);
    assert.equal(out.kind, 'playtests');
    assert.deepEqual(out.problems, []);
    assert.deepEqual(out.records, [
      { line: 2, record: { params: { enemyHealth: 80, roomCount: 4, bossEnabled: true, archetype: 'melee' }, metrics: { won: 1, durationSec: 400.5 }, levelId: 'L1', tester: 'bot:a', id: 'p1' } },
      { line: 3, record: { params: { bossEnabled: false }, metrics: { won: 0 }, levelId: 'L2', id: 'p2' } },
    ]);
  });
  it('reads levels', () => {
    const out = csvToRecords(project, parseCsv('id,feature.area,description\nL9,1e3,"big"\n'));
    assert.equal(out.kind, 'levels');
    assert.deepEqual(out.records, [{ line: 2, record: { features: { area: 1000 }, id: 'L9', description: 'big' } }]);
  });
  it('parses numbers strictly and names the line and column of every bad cell', () => {
    const rows = parseCsv('levelId,param.enemyHealth,param.bossEnabled,metric.won\nL1,12abc,yes,1\nL1,0x10,true,1,extra\nL1,"1,5",true,\n');
    const out = csvToRecords(project, rows);
    assert.deepEqual(out.problems.map(formatProblem), [
      'line 2: param.enemyHealth: must be a number (got "12abc")',
      'line 2: param.bossEnabled: must be true or false (got "yes")',
      'line 3: has 5 cells but the header has 4 columns',
      'line 3: param.enemyHealth: must be a number (got "0x10")',
      'line 4: param.enemyHealth: must be a number (got "1,5"; numbers need a decimal point: 1.5)',
    ]);
    assert.deepEqual(out.records[0]?.failed, ['param.enemyHealth', 'param.bossEnabled']);
  });
  it('reports unknown, misplaced and repeated columns on the header line', () => {
    const out = csvToRecords(project, parseCsv('levelId,param.speed,metric.score,feature.area,notes,metric.won,metric.won\nL1,1,1,1,x,1,1\n'));
    assert.deepEqual(out.problems.map(formatProblem), [
      'line 1: param.speed: unknown param (declared: enemyHealth, roomCount, bossEnabled, archetype)',
      'line 1: metric.score: unknown metric (declared: won, durationSec, deaths)',
      'line 1: feature.area: unknown column for playtests (expected id, levelId, tester, at, param.<name>, metric.<name>)',
      'line 1: notes: unknown column for playtests (expected id, levelId, tester, at, param.<name>, metric.<name>)',
      'line 1: metric.won: this column appears twice',
    ]);
  });
  it('reports an empty file', () => {
    assert.deepEqual(csvToRecords(project, []).problems.map(formatProblem), ['is empty (expected a header row such as levelId,param.<name>,metric.<name>)']);
  });
});
