// The session token: fresh for every serve, readable only by the user (0600, in a 0700 folder),
// removed on shutdown.
import { randomBytes } from 'node:crypto';
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STATE_DIR, stateDir } from '../store/state-dir.js';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function tokenFile(projectDir: string): string {
  return path.resolve(projectDir, STATE_DIR, 'token');
}

export async function writeToken(projectDir: string, token: string): Promise<string> {
  const file = tokenFile(projectDir);
  await stateDir(projectDir);
  // Remove first: writeFile keeps the mode of an existing file, and an old one may be wider.
  await rm(file, { force: true });
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return file;
}

export async function removeToken(projectDir: string): Promise<void> {
  await rm(tokenFile(projectDir), { force: true });
}
