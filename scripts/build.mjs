// `npm run build` (and `prepare`, so `npm ci` leaves a working `metabalance` bin): an incremental
// `tsc -b` — it compares sources with dist/'s build info and does nothing when nothing changed —
// then marks the bin executable, because tsc writes every file without the x bit.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-b', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const bin of Object.values(pkg.bin ?? {})) {
  const file = path.join(root, bin);
  if (existsSync(file)) chmodSync(file, 0o755);
}
process.exit(status ?? 1);
