// Generates, from schemas/, every type both sides of the protocol use, so neither can drift from
// the schemas: the TypeScript of the project files and of every RPC method and notification, the
// error codes (schemas/rpc/errors.json), and the Unity bridge's C# protocol classes.
// `--check` writes nothing and fails (exit 1) naming each committed file that is stale.
import { compile } from 'json-schema-to-typescript';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadSchemas } from './gen/schemas.mjs';
import { HEADER, OPTIONS, protocolTypes } from './gen/typescript.mjs';
import { methodNames, projectTypes, rpcTypes, HEADER as CS_HEADER } from './gen/csharp.mjs';
import { errorCodesCs, errorCodesTs, loadErrors } from './gen/errors.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function fileTypes() {
  const parts = [HEADER];
  for (const name of ['project', 'level', 'playtest']) {
    const schema = JSON.parse(await readFile(path.join(root, 'schemas', `${name}.schema.json`), 'utf8'));
    parts.push(await compile(schema, schema.title, { ...OPTIONS, style: { singleQuote: true } }));
  }
  return parts.join('\n');
}

export async function generate() {
  const schemas = await loadSchemas(root);
  const errors = await loadErrors(root);
  return {
    'src/project/schema-types.ts': await fileTypes(),
    'src/rpc/protocol-types.ts': await protocolTypes(schemas),
    'src/rpc/error-codes.ts': errorCodesTs(errors, HEADER),
    'unity-bridge/Runtime/Protocol/ProjectTypes.cs': projectTypes(schemas),
    'unity-bridge/Runtime/Protocol/RpcTypes.cs': rpcTypes(schemas),
    'unity-bridge/Runtime/Protocol/Methods.cs': methodNames(schemas),
    'unity-bridge/Runtime/Protocol/RpcErrorCodes.cs': errorCodesCs(errors, CS_HEADER),
  };
}

const files = await generate();
if (process.argv.includes('--check')) {
  const stale = [];
  for (const [rel, text] of Object.entries(files)) {
    if ((await readFile(path.join(root, rel), 'utf8').catch(() => '')) !== text) stale.push(rel);
  }
  if (stale.length > 0) {
    console.error(`stale generated files (run \`npm run gen:types\`):\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
} else {
  for (const [rel, text] of Object.entries(files)) await writeFile(path.join(root, rel), text);
}
