// DIR/.metabalance/: the sidecar's own state (writer lock, session token, repaired lines). Only the
// user may enter it (0700): it holds the token, and a folder created by an older version at 0755
// is narrowed too. A newly created one is made durable in its parent like any new file.
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './durable.js';

export const STATE_DIR = '.metabalance';

/** DIR/.metabalance/<parts...>, created (0700 for the state folder itself) when missing. */
export async function stateDir(projectDir: string, ...parts: string[]): Promise<string> {
  const dir = path.join(projectDir, STATE_DIR);
  if ((await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined) await fsyncDir(projectDir);
  await chmod(dir, 0o700);
  if (parts.length === 0) return dir;
  const sub = path.join(dir, ...parts);
  if ((await mkdir(sub, { recursive: true, mode: 0o700 })) !== undefined) await fsyncDir(path.dirname(sub));
  return sub;
}
