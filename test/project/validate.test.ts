import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, formatProblem, formatProblems } from '../../src/project/errors.js';
import { checkLevel, checkPlaytest, parseProject, resolveParams } from '../../src/project/validate.js';
import { exampleProjectFile } from './fixtures.js';

type Obj = Record<string, unknown>;

/** The formatted problems parseProject reports for the example project changed by `edit`. */
function projectProblems(edit: (p: Obj & { params: Obj[]; features: Obj[]; metrics: Obj[]; targets: Obj[] }) => void): string[] {
  const raw = exampleProjectFile() as Obj & { params: Obj[]; features: Obj[]; metrics: Obj[]; targets: Obj[] };
  edit(raw);
  try {
    parseProject(raw, 'project.json');
  } catch (e) {
    assert.ok(e instanceof InputError);
    return e.problems.map(formatProblem);
  }
  return [];
}

const project = parseProject(exampleProjectFile(), 'project.json');
const hasLevel = (id: string) => id === 'L1';
const ptProblems = (raw: unknown) => checkPlaytest(project, raw, hasLevel).problems.map(formatProblem);
const lvProblems = (raw: unknown) => checkLevel(project, raw).problems.map(formatProblem);

describe('error format', () => {
  it('names file, line and field', () => {
    assert.equal(formatProblem({ file: 'playtests.jsonl', line: 57, field: 'params.enemyHealth', message: 'must be a number (got "lots")' }), 'playtests.jsonl:57: params.enemyHealth: must be a number (got "lots")');
    assert.equal(formatProblem({ file: 'project.json', message: 'not found' }), 'project.json: not found');
    assert.equal(formatProblem({ field: 'id', message: 'is required' }), 'id: is required');
  });
  it('caps a long list', () => {
    const lines = formatProblems(Array.from({ length: 60 }, (_, i) => ({ line: i + 1, message: 'bad' })), 50);
    assert.equal(lines.length, 51);
    assert.equal(lines[50], '… and 10 more');
  });
  it('a schema type error reads as the contract example', () => {
    const lines = checkPlaytest(project, { levelId: 'L1', params: { enemyHealth: 'lots' }, metrics: { won: 1 } }, hasLevel).problems.map((p) => formatProblem({ file: 'playtests.jsonl', line: 57, ...p }));
    assert.deepEqual(lines, ['playtests.jsonl:57: params.enemyHealth: must be a number (got "lots")']);
  });
});

describe('parseProject', () => {
  it('normalizes the contract example with every default filled', () => {
    assert.deepEqual(project.params[1], { name: 'roomCount', type: 'int', min: 3, max: 12, default: 6, scale: 'linear', group: 'generation', locked: false });
    assert.deepEqual(project.targets[0], { metric: 'won', target: 0.6, tolerance: 0.05, weight: 1 });
  });
  it('fills missing defaults: midpoint, geometric for log, whole for int, false, first choice', () => {
    const p = parseProject({
      name: 'd',
      params: [
        { name: 'a', min: 0, max: 10 },
        { name: 'b', min: 1, max: 100, scale: 'log' },
        { name: 'c', type: 'int', min: 0, max: 5 },
        { name: 'd', type: 'bool' },
        { name: 'e', type: 'choice', choices: ['x', 'y'] },
      ],
      metrics: [{ name: 'm', kind: 'count' }],
    });
    assert.deepEqual(resolveParams(p), { a: 5, b: 10, c: 3, d: false, e: 'x' });
    assert.deepEqual(resolveParams(p, { a: 1, e: 'y' }), { a: 1, b: 10, c: 3, d: false, e: 'y' });
    assert.deepEqual(p.features, []);
    assert.deepEqual(p.targets, []);
  });
  it('lists every problem, not the first', () => {
    const lines = projectProblems((p) => {
      p['name'] = '';
      (p.params[0] as Obj)['min'] = 500;
      p.metrics.push({ name: 'won', kind: 'rate' });
      p.targets.push({ metric: 'nope', target: 1, tolerance: 1 });
    });
    assert.deepEqual(lines, [
      'project.json: name: must not be empty',
      'project.json: metrics[3].name: metric "won" is already declared at metrics[0]',
      'project.json: params[0].max: must be greater than min (500) (got 200)',
      'project.json: targets[2].metric: names no declared metric (got "nope"; declared: won, durationSec, deaths)',
    ]);
  });
  const cases: [string, (p: Obj & { params: Obj[]; features: Obj[]; metrics: Obj[]; targets: Obj[] }) => void, string][] = [
    ['unique param names', (p) => void p.params.push({ name: 'roomCount', type: 'bool' }), 'params[4].name: param "roomCount" is already declared at params[1]'],
    ['unique feature names', (p) => void p.features.push({ name: 'area' }), 'features[2].name: feature "area" is already declared at features[0]'],
    ['unique metric names', (p) => void p.metrics.push({ name: 'deaths', kind: 'count' }), 'metrics[3].name: metric "deaths" is already declared at metrics[2]'],
    ['one target per metric', (p) => void p.targets.push({ metric: 'won', target: 0.5, tolerance: 0.1 }), 'targets[2].metric: a target for metric "won" is already declared at targets[0]'],
    ['min < max', (p) => void Object.assign(p.params[1] as Obj, { min: 12, max: 12, default: 12 }), 'params[1].max: must be greater than min (12) (got 12)'],
    ['default in bounds', (p) => void Object.assign(p.params[1] as Obj, { default: 13 }), 'params[1].default: must lie within [3, 12] (got 13)'],
    ['integral int bounds', (p) => void Object.assign(p.params[1] as Obj, { min: 2.5 }), 'params[1].min: must be a whole number for an int param (got 2.5)'],
    ['integral int default', (p) => void Object.assign(p.params[1] as Obj, { default: 6.5 }), 'params[1].default: must be a whole number for an int param (got 6.5)'],
    ['log needs min > 0', (p) => void Object.assign(p.params[0] as Obj, { min: 0, default: 1 }), 'params[0].min: must be > 0 for a log-scale param (got 0)'],
    ['choice default among choices', (p) => void Object.assign(p.params[3] as Obj, { default: 'boss' }), 'params[3].default: must be one of the choices "melee", "ranged", "mixed" (got "boss")'],
    ['unique choices', (p) => void Object.assign(p.params[3] as Obj, { choices: ['melee', 'melee'], default: 'melee' }), 'params[3].choices[1]: repeats the choice "melee"'],
    [
      'targets name declared segments',
      (p) => void Object.assign(p, { segments: [{ name: 'novice', testers: ['ana'] }] }, { targets: [...p.targets, { metric: 'won', segment: 'novices', target: 0.7, tolerance: 0.05 }] }),
      'targets[2].segment: names no declared segment (got "novices"; did you mean "novice"?; declared: novice)',
    ],
    [
      'one target per metric and segment',
      (p) => void Object.assign(p, { segments: [{ name: 'novice', testers: ['ana'] }] }, { targets: [...p.targets, ...[0.7, 0.6].map((target) => ({ metric: 'won', segment: 'novice', target, tolerance: 0.05 }))] }),
      'targets[3].metric: a target for metric "won" and segment "novice" is already declared at targets[2]',
    ],
    [
      'a tester stands for one segment',
      (p) => void Object.assign(p, { segments: [{ name: 'novice', testers: ['ana', 'bo'] }, { name: 'expert', testers: ['bo'] }] }),
      'segments[1].testers[0]: tester "bo" already belongs to segments[0]',
    ],
    ['unique segment names', (p) => void Object.assign(p, { segments: [{ name: 'novice', testers: ['ana'] }, { name: 'novice', testers: ['bo'] }] }), 'segments[1].name: segment "novice" is already declared at segments[0]'],
    ['targets name declared metrics', (p) => void Object.assign(p.targets[1] as Obj, { metric: 'score' }), 'targets[1].metric: names no declared metric (got "score"; declared: won, durationSec, deaths)'],
    ['a rate target lies in [0, 1]', (p) => void Object.assign(p.targets[0] as Obj, { target: 60 }), 'targets[0].target: must lie within [0, 1] for the rate metric "won" (got 60)'],
    ['feature min < max', (p) => void Object.assign(p.features[1] as Obj, { min: 10, max: 0 }), 'features[1].max: must be greater than min (10) (got 0)'],
    ['non-finite numbers', (p) => void Object.assign(p.params[0] as Obj, { max: Infinity }), 'params[0].max: must be a finite number (got Infinity)'],
    ['schema: numeric params need bounds', (p) => void delete (p.params[1] as Obj)['max'], 'params[1].max: is required'],
    ['schema: bool params take no bounds', (p) => void Object.assign(p.params[2] as Obj, { min: 0 }), 'params[2].min: is not allowed when type is "bool"'],
    ['schema: names are identifiers', (p) => void Object.assign(p.params[0] as Obj, { name: 'enemy health' }), 'params[0].name: must be a name: a letter or _ then letters, digits, _ . or - (got "enemy health")'],
    ['schema: unknown fields', (p) => void Object.assign(p.params[0] as Obj, { maximum: 3 }), 'params[0].maximum: unknown field (allowed: name, type, min, max, default, scale, choices, group, locked, description)'],
    ['schema: enums', (p) => void Object.assign(p.metrics[0] as Obj, { kind: 'ratio' }), 'metrics[0].kind: must be one of "rate", "continuous", "count" (got "ratio")'],
    ['schema: tolerance > 0', (p) => void Object.assign(p.targets[0] as Obj, { tolerance: 0 }), 'targets[0].tolerance: must be > 0 (got 0)'],
    ['schema: at least one param', (p) => void (p['params'] = []), 'params: must have at least 1 item'],
  ];
  for (const [rule, edit, expected] of cases) {
    it(`checks: ${rule}`, () => assert.deepEqual(projectProblems(edit), [`project.json: ${expected}`]));
  }
  it('rejects a non-object', () => {
    assert.throws(() => parseProject([], 'project.json'), (e: unknown) => e instanceof InputError && formatProblem(e.problems[0]!) === 'project.json: must be an object (got [])');
  });
});

describe('checkPlaytest', () => {
  it('accepts a playtest with partial params and metrics, keeping only known fields', () => {
    const r = checkPlaytest(project, { id: 'p1', levelId: 'L1', params: { roomCount: 4 }, metrics: { won: 0 }, tester: 'bot', at: '2026-11-22T12:00:00Z' }, hasLevel);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.playtest, { id: 'p1', levelId: 'L1', params: { roomCount: 4 }, metrics: { won: 0 }, tester: 'bot', at: '2026-11-22T12:00:00Z' });
  });
  const base = { levelId: 'L1', metrics: { won: 1 } };
  const cases: [string, Obj, string][] = [
    ['unknown param', { ...base, params: { speed: 1 } }, 'params.speed: unknown param (declared: enemyHealth, roomCount, bossEnabled, archetype)'],
    ['unknown metric', { ...base, metrics: { won: 1, score: 3 } }, 'metrics.score: unknown metric (declared: won, durationSec, deaths)'],
    ['out of bounds', { ...base, params: { enemyHealth: 10 } }, 'params.enemyHealth: must lie within [20, 200] (got 10)'],
    ['non-integral int', { ...base, params: { roomCount: 4.5 } }, 'params.roomCount: must be a whole number for the int param "roomCount" (got 4.5)'],
    ['unknown choice', { ...base, params: { archetype: 'boss' } }, 'params.archetype: is not a choice of "archetype": must be one of "melee", "ranged", "mixed" (got "boss")'],
    ['wrong type (bool)', { ...base, params: { bossEnabled: 'yes' } }, 'params.bossEnabled: must be true or false (got "yes")'],
    ['wrong type (choice)', { ...base, params: { archetype: 1 } }, 'params.archetype: must be one of "melee", "ranged", "mixed" (got 1)'],
    ['wrong type (metric)', { ...base, metrics: { won: 'yes' } }, 'metrics.won: must be a number (got "yes")'],
    ['non-finite param', { ...base, params: { enemyHealth: Infinity } }, 'params.enemyHealth: must be a finite number (got Infinity)'],
    ['non-finite metric', { ...base, metrics: { durationSec: -Infinity } }, 'metrics.durationSec: must be a finite number (got -Infinity)'],
    ['unknown levelId', { ...base, levelId: 'L9' }, 'levelId: unknown level "L9" (add it to levels.jsonl first)'],
    ['rate outside [0, 1]', { ...base, metrics: { won: 1.5 } }, 'metrics.won: must lie within [0, 1] for the rate metric "won" (got 1.5)'],
    ['negative count', { ...base, metrics: { deaths: -1 } }, 'metrics.deaths: must not be negative for the count metric "deaths" (got -1)'],
    ['missing levelId', { metrics: { won: 1 } }, 'levelId: is required'],
    ['no metrics', { levelId: 'L1', metrics: {} }, 'metrics: must have at least 1 entry'],
    ['bad date', { ...base, at: 'yesterday' }, 'at: must be a date-time like 2026-11-22T12:00:00Z (got "yesterday")'],
    ['unknown field', { ...base, result: 1 }, 'result: unknown field (allowed: id, levelId, params, metrics, tester, at)'],
  ];
  for (const [rule, raw, expected] of cases) {
    it(`checks: ${rule}`, () => assert.deepEqual(ptProblems(raw), [expected]));
  }
  it('reports every problem of a record at once', () => {
    assert.equal(ptProblems({ levelId: 'L9', params: { enemyHealth: 'lots', roomCount: 99 }, metrics: { won: 2 } }).length, 4);
  });
});

describe('checkLevel', () => {
  it('accepts a level with some features omitted', () => {
    assert.deepEqual(checkLevel(project, { id: 'L3', features: { area: 5 } }), { level: { id: 'L3', features: { area: 5 } }, problems: [] });
    assert.deepEqual(checkLevel(project, { id: 'L4' }).level, { id: 'L4', features: {} });
  });
  const cases: [string, unknown, string][] = [
    ['unknown feature', { id: 'L', features: { size: 1 } }, 'features.size: unknown feature (declared: area, chokepoints)'],
    ['non-finite feature', { id: 'L', features: { area: Infinity } }, 'features.area: must be a finite number (got Infinity)'],
    ['feature above declared max', { id: 'L', features: { chokepoints: 11 } }, 'features.chokepoints: must lie within [0, 10] (got 11)'],
    ['feature below declared min', { id: 'L', features: { chokepoints: -1 } }, 'features.chokepoints: must lie within [0, 10] (got -1)'],
    ['non-number feature', { id: 'L', features: { area: '5' } }, 'features.area: must be a number (got "5")'],
    ['missing id', { features: {} }, 'id: is required'],
    ['empty id', { id: '' }, 'id: must not be empty'],
  ];
  for (const [rule, raw, expected] of cases) {
    it(`checks: ${rule}`, () => assert.deepEqual(lvProblems(raw), [expected]));
  }
});
