// The error codes of schemas/rpc/errors.json as TypeScript constants and as the C# RpcErrorCodes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export async function loadErrors(root) {
  const table = JSON.parse(await readFile(path.join(root, 'schemas', 'rpc', 'errors.json'), 'utf8'));
  const seen = new Set();
  for (const { name, code } of table.codes) {
    if (!/^[A-Z][A-Za-z]*$/.test(name) || !Number.isInteger(code)) throw new Error(`schemas/rpc/errors.json: bad entry ${name} ${code}`);
    if (seen.has(name) || seen.has(code)) throw new Error(`schemas/rpc/errors.json: ${seen.has(name) ? name : code} appears twice`);
    seen.add(name).add(code);
  }
  return table;
}

export function errorCodesTs(table, header) {
  const lines = table.codes.map(({ name, code, meaning }) => `  /** ${meaning} */\n  ${name}: ${code},`);
  return `${header}\n/** ${table.description} */\nexport const ErrorCode = {\n${lines.join('\n')}\n} as const;\nexport type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];\n`;
}

export function errorCodesCs(table, header) {
  const lines = table.codes.map(({ name, code, meaning }) => `        /// <summary>${meaning.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</summary>\n        public const int ${name} = ${code};`);
  return `${header}namespace Metabalance
{
    /// <summary>The sidecar's stable JSON-RPC error codes (schemas/rpc/errors.json).</summary>
    public static class RpcErrorCodes
    {
${lines.join('\n')}
    }
}
`;
}
