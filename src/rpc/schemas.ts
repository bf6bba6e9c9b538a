// Every RPC method's params and result (and every notification's params) are described by a
// JSON Schema in schemas/rpc/<name>.schema.json under $defs.params / $defs.result. They live in
// the project's one ajv instance (src/project/schemas.ts), so they can $ref the file schemas,
// and their errors read like every other problem: 'params.levelId: must be a string (got 7)'.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { formatProblem, type Problem } from '../project/errors.js';
import { packageRoot } from '../project/paths.js';
import { getAjv, translateErrors } from '../project/schemas.js';

const BASE = 'https://metabalance.dev/schemas/rpc/';

export interface SchemaErrors {
  /** readable, one line each, naming the field ("params.levelId: must be a string (got 7)") */
  problems: Problem[];
  /** ajv's own error objects, for programs */
  raw: Pick<ErrorObject, 'instancePath' | 'keyword' | 'message' | 'params'>[];
}

export type Check = (value: unknown) => SchemaErrors | null;

export class SchemaRegistry {
  private readonly checks = new Map<string, Check>();
  /** the names of schemas/rpc/*.schema.json without suffix (methods and "<name>.notification") */
  readonly names: string[] = readdirSync(path.join(packageRoot(), 'schemas', 'rpc'))
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.schema.json'.length))
    .sort();

  has(name: string, part: 'params' | 'result'): boolean {
    return getAjv().getSchema(`${BASE}${name}.schema.json#/$defs/${part}`) !== undefined;
  }

  /** A checker for `<name>`'s params or result; null when the value is valid. */
  check(name: string, part: 'params' | 'result'): Check {
    const key = `${name}#${part}`;
    let check = this.checks.get(key);
    if (!check) {
      const validate = getAjv().getSchema(`${BASE}${name}.schema.json#/$defs/${part}`);
      if (!validate) throw new Error(`schemas/rpc/${name}.schema.json has no $defs.${part}`);
      check = (value) => {
        if (validate(value)) return null;
        const errors = validate.errors ?? [];
        return {
          problems: translateErrors(errors, value).map((p) => ({ ...p, field: p.field === undefined ? part : `${part}.${p.field}` })),
          raw: errors.map(({ instancePath, keyword, message, params }) => ({ instancePath, keyword, message, params })),
        };
      };
      this.checks.set(key, check);
    }
    return check;
  }
}

export function describe(errors: SchemaErrors | null): string[] {
  return errors ? errors.problems.map(formatProblem) : [];
}
