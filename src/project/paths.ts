// Runtime files (schemas/, package.json) live at the package root, which sits at a different depth
// below the running module in every build dir (dist/src, dist-<helper>/src), so walk up to find it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

function isOurPackage(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'metabalance';
  } catch {
    return false;
  }
}

/** The folder holding metabalance's package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isOurPackage(dir)) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the metabalance package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** schemas/<name>.schema.json (name without suffix), or the name as given when it already ends in .json. */
export function schemaPath(name: string): string {
  const file = name.endsWith('.json') ? name : `${name}.schema.json`;
  return path.join(packageRoot(), 'schemas', file);
}

/** The package version from package.json (for --version and initialize). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
