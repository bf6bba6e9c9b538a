// The schemas are the protocol: on a copy of the package, a param added to one method's schema makes
// `gen-types --check` fail naming the stale TypeScript and C# files, and regenerating carries the param
// into both languages; a schema the C# generator cannot name is refused with its file and field.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/project/paths.js';

const run = promisify(execFile);
const root = packageRoot();
let copy: string;

before(async () => {
  copy = await mkdtemp(path.join(os.tmpdir(), 'metabalance-gen-'));
  // the generator, its inputs, and the folders its outputs live in
  for (const dir of ['scripts', 'schemas', 'src', 'unity-bridge']) await cp(path.join(root, dir), path.join(copy, dir), { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
});

after(async () => {
  await rm(copy, { recursive: true, force: true });
});

/** Runs scripts/gen-types.mjs in the copy: its exit code and stderr. */
async function gen(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [path.join(copy, 'scripts', 'gen-types.mjs'), ...args]);
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

async function editSchema(name: string, edit: (schema: { $defs: Record<string, { properties: Record<string, unknown> }> }) => void): Promise<void> {
  const file = path.join(copy, 'schemas', 'rpc', `${name}.schema.json`);
  const schema = JSON.parse(await readFile(file, 'utf8'));
  edit(schema);
  await writeFile(file, JSON.stringify(schema, null, 2));
}

test('the committed generated files are current', async () => {
  assert.deepEqual(await gen('--check'), { code: 0, stderr: '' });
});

test('a param added to one schema: --check names the stale files, and regenerating adds it to TypeScript and C#', async () => {
  await editSchema('level.predict', (s) => {
    s.$defs.params.properties.note = { type: 'string', description: 'why this setting is asked about' };
  });
  const stale = await gen('--check');
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /src\/rpc\/protocol-types\.ts/);
  assert.match(stale.stderr, /unity-bridge\/Runtime\/Protocol\/RpcTypes\.cs/);
  assert.doesNotMatch(stale.stderr, /RpcErrorCodes\.cs|schema-types\.ts/);

  assert.equal((await gen()).code, 0);
  const ts = await readFile(path.join(copy, 'src/rpc/protocol-types.ts'), 'utf8');
  assert.match(ts, /export interface LevelPredictParams \{[^}]*note\?: string;[^}]*\}/);
  const cs = await readFile(path.join(copy, 'unity-bridge/Runtime/Protocol/RpcTypes.cs'), 'utf8');
  assert.match(cs, /public sealed class LevelPredictParams\s*\{[^}]*\[JsonProperty\("note"\)\] public string Note;[^}]*\}/);
  assert.deepEqual(await gen('--check'), { code: 0, stderr: '' });
});

test('an error code added to the table reaches both languages', async () => {
  const file = path.join(copy, 'schemas', 'rpc', 'errors.json');
  const table = JSON.parse(await readFile(file, 'utf8'));
  table.codes.push({ name: 'LevelArchived', code: -32009, meaning: 'the level is archived' });
  await writeFile(file, JSON.stringify(table, null, 2));
  assert.equal((await gen()).code, 0);
  assert.match(await readFile(path.join(copy, 'src/rpc/error-codes.ts'), 'utf8'), /LevelArchived: -32009,/);
  assert.match(await readFile(path.join(copy, 'unity-bridge/Runtime/Protocol/RpcErrorCodes.cs'), 'utf8'), /public const int LevelArchived = -32009;/);
});

test('a nested object without a title is refused, naming the schema file and the field', async () => {
  await editSchema('level.predict', (s) => {
    s.$defs.params.properties.hint = { type: 'object', properties: { text: { type: 'string' } } };
  });
  const failed = await gen('--check');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /level\.predict\.schema\.json: "hint" is an object with properties: give it a "title"/);
});

test("the README's error table lists exactly the codes of schemas/rpc/errors.json", async () => {
  const table = JSON.parse(await readFile(path.join(root, 'schemas', 'rpc', 'errors.json'), 'utf8')) as { codes: { code: number }[] };
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('Error codes (stable):'), readme.indexOf('### Security'));
  const listed = [...section.matchAll(/^\| (-\d+) \|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(listed, table.codes.map((c) => c.code));
});
