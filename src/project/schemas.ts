// The one ajv (JSON Schema 2020-12 + formats) instance: every schemas/**/*.schema.json is registered
// by its $id so schemas can $ref each other, and ajv's errors are turned into Problems a person
// can read ('params.enemyHealth: must be a number (got "lots")', not '/params/enemyHealth must be number').
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Problem } from './errors.js';
import { closest } from '../util/did-you-mean.js';
import { dedupeProblems, showValue } from './errors.js';
import { packageRoot, schemaPath } from './paths.js';

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

let shared: Ajv | undefined;
const byName = new Map<string, ValidateFunction>();

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? schemaFiles(path.join(dir, e.name)) : e.name.endsWith('.schema.json') ? [path.join(dir, e.name)] : [],
  );
}

/** The shared ajv instance with every schema under schemas/ added (compiled lazily on first use). */
export function getAjv(): Ajv {
  if (shared) return shared;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  // An annotation: the records a request carries that the store checks one by one against this
  // schema (so a bad one is rejected alone); it names their type for the code generators.
  ajv.addKeyword('x-checked-as');
  for (const file of schemaFiles(path.join(packageRoot(), 'schemas'))) {
    ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  }
  return (shared = ajv);
}

/** The validator for schemas/<name>.schema.json ('project', 'level', 'playtest', or a path below schemas/). */
export function getValidator(name: string): ValidateFunction {
  let v = byName.get(name);
  if (!v) {
    const schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as { $id?: string };
    const ajv = getAjv();
    v = schema.$id ? ajv.getSchema(schema.$id) : ajv.compile(schema);
    if (!v) throw new Error(`schema ${name} has no $id registered`);
    byName.set(name, v);
  }
  return v;
}

/** Validates `data` against a named schema; [] when valid. */
export function schemaProblems(name: string, data: unknown): Problem[] {
  const validate = getValidator(name);
  return validate(data) ? [] : translateErrors(validate.errors ?? [], data);
}

/** ajv errors → Problems with dotted field paths (params.enemyHealth, params[2].min) and plain messages. */
export function translateErrors(errors: readonly ErrorObject[], data: unknown): Problem[] {
  // An if/then failure is always accompanied by the specific error inside `then`; the summary adds nothing.
  const relevant = errors.filter((e) => e.keyword !== 'if' && !followsFromBadType(e, errors));
  return dedupeProblems(relevant.map((e) => translateError(e, data)));
}

/**
 * Whether `e` comes from the if/then/else branch an object's invalid `type` chose (a param with
 * "type": "integer" is judged as a choice param: choices required, min and max not allowed): the
 * bad type is the one problem to fix, the rest would vanish with it.
 */
function followsFromBadType(e: ErrorObject, errors: readonly ErrorObject[]): boolean {
  if (!/\/(then|else)\//.test(e.schemaPath)) return false;
  return errors.some((t) => {
    if (t.keyword !== 'enum' || !t.instancePath.endsWith('/type')) return false;
    const owner = t.instancePath.slice(0, -'/type'.length);
    return e.instancePath === owner || e.instancePath.startsWith(`${owner}/`);
  });
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** '/params/2/min' → 'params[2].min' (array indices bracketed, judged from the data itself). */
export function fieldPath(segments: readonly string[], data: unknown): string {
  let out = '';
  let node: unknown = data;
  for (const seg of segments) {
    if (Array.isArray(node)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function valueAt(segments: readonly string[], data: unknown): unknown {
  let node = data;
  for (const seg of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

const ARTICLE: Record<string, string> = {
  number: 'a number',
  integer: 'an integer',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function listOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function translateError(e: ErrorObject, data: unknown): Problem {
  const segs = pointerSegments(e.instancePath);
  const value = e.data !== undefined ? e.data : valueAt(segs, data);
  const got = ` (got ${showValue(value)})`;
  const params = e.params as Record<string, unknown>;
  const at = (extra?: string): string | undefined => {
    const f = fieldPath(extra === undefined ? segs : [...segs, extra], data);
    return f === '' ? undefined : f;
  };
  const problem = (message: string, field = at()): Problem => (field === undefined ? { message } : { field, message });
  switch (e.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(params['type'] as string | string[]);
      if (typeof value === 'number' && !Number.isFinite(value) && types.includes('number')) {
        return problem(`must be a finite number${got}`);
      }
      return problem(`must be ${listOr(types.map((t) => ARTICLE[t] ?? t))}${got}`);
    }
    case 'required':
      return problem('is required', at(String(params['missingProperty'])));
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
      const hint = allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : '';
      return problem(`unknown field${hint}`, at(String(params['additionalProperty'])));
    }
    case 'enum': {
      const allowed = params['allowedValues'] as unknown[];
      const meant = typeof value === 'string' ? closest(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      return problem(`must be one of ${allowed.map((v) => showValue(v)).join(', ')} (got ${showValue(value)}${meant === undefined ? '' : `; did you mean ${showValue(meant)}?`})`);
    }
    case 'const':
      return problem(`must be ${showValue(params['allowedValue'])}${got}`);
    case 'minLength':
      return problem(params['limit'] === 1 ? 'must not be empty' : `must be at least ${plural(params['limit'] as number, 'character')} long`);
    case 'maxLength':
      return problem(`must be at most ${plural(params['limit'] as number, 'character')} long`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return problem(`must be ${String(params['comparison'])} ${String(params['limit'])}${got}`);
    case 'minItems':
      return problem(`must have at least ${plural(params['limit'] as number, 'item')}`);
    case 'minProperties':
      return problem(`must have at least ${plural(params['limit'] as number, 'entry').replace('entrys', 'entries')}`);
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return problem(`must be ${description ?? `text matching ${String(params['pattern'])}`}${got}`);
    }
    case 'format':
      return problem(`must be ${params['format'] === 'date-time' ? 'a date-time like 2026-11-22T12:00:00Z' : `a ${String(params['format'])}`}${got}`);
    case 'false schema': {
      const owner = valueAt(segs.slice(0, -1), data) as { type?: unknown } | undefined;
      const type = owner && typeof owner === 'object' && typeof owner.type === 'string' ? owner.type : undefined;
      return problem(type ? `is not allowed when type is "${type}"` : 'is not allowed here');
    }
    default:
      return problem(e.message ?? `fails ${e.keyword}`);
  }
}
