// Reads schemas/ into what both generators need: every method's and notification's params and
// result, the shared definitions, and how a $ref names its target. Names come from the schemas
// themselves (a definition's title, else its $defs key; a method's defs are <Method>Params and
// <Method>Result, a notification's params <Notification>), so both languages name a type alike.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** 'level.balance' → 'LevelBalance', 'reptile-plain' → 'ReptilePlain', 'pMeet' → 'PMeet' */
export function pascal(name) {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

export async function loadSchemas(root) {
  const files = new Map();
  const dirs = [path.join(root, 'schemas'), path.join(root, 'schemas', 'rpc')];
  for (const dir of dirs) {
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.schema.json')).sort()) {
      const file = path.join(dir, f);
      files.set(file, JSON.parse(await readFile(file, 'utf8')));
    }
  }
  return new Schemas(root, files);
}

class Schemas {
  constructor(root, files) {
    this.root = root;
    this.files = files;
  }

  file(rel) {
    const schema = this.files.get(path.join(this.root, 'schemas', rel));
    if (!schema) throw new Error(`schemas/${rel} does not exist`);
    return schema;
  }

  /** The rpc schemas as methods and notifications, in file-name order. */
  protocol() {
    const out = [];
    for (const [file, schema] of this.files) {
      const base = path.basename(file, '.schema.json');
      if (path.dirname(file) !== path.join(this.root, 'schemas', 'rpc') || base === 'common') continue;
      const notification = base.endsWith('.notification');
      const name = notification ? base.slice(0, -'.notification'.length) : base;
      const defs = schema.$defs ?? {};
      if (!defs.params || (!notification && !defs.result)) throw new Error(`schemas/rpc/${base}.schema.json: needs $defs.params${notification ? '' : ' and $defs.result'}`);
      const typeName = (part) => defs[part].title ?? (notification ? pascal(name) : pascal(name) + pascal(part));
      out.push({
        name,
        file,
        notification,
        description: schema.description,
        params: { name: typeName('params'), schema: defs.params },
        result: notification ? undefined : { name: typeName('result'), schema: defs.result },
      });
    }
    return out;
  }

  /** The definitions shared by the methods (schemas/rpc/common.schema.json), by type name. */
  common() {
    const file = path.join(this.root, 'schemas', 'rpc', 'common.schema.json');
    return Object.entries(this.file('rpc/common.schema.json').$defs).map(([key, schema]) => ({ name: schema.title ?? key, file, schema }));
  }

  /** A $ref (relative to the schema file `from`) → { file, schema, name } of its target. */
  resolve(ref, from) {
    const [rel, pointer = ''] = ref.split('#');
    const file = rel ? path.resolve(path.dirname(from), rel) : from;
    const doc = this.files.get(file);
    if (!doc) throw new Error(`${path.relative(this.root, from)}: $ref ${ref} names no schema file`);
    if (pointer === '') return { file, schema: doc, name: doc.title };
    const segments = pointer.split('/').slice(1);
    let schema = doc;
    for (const s of segments) schema = schema?.[s];
    if (!schema) throw new Error(`${path.relative(this.root, from)}: $ref ${ref} points at nothing`);
    return { file, schema, name: schema.title ?? segments.at(-1) };
  }
}
