// The writer lock: one process at a time may write a project folder. The lock is a small JSON file
// naming its holder, created with O_EXCL; a lock whose holder process is gone (same host, pid dead)
// is taken over, under a second short-lived lock so two processes cannot both take it over.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fsyncDir } from './durable.js';
import { STATE_DIR, stateDir } from './state-dir.js';

/** A takeover guard or a lock file naming nobody older than this was left by a crash. */
const TAKEOVER_STALE_MS = 10_000;

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** Another process holds the project's writer lock. The CLI exits 1 with this message; RPC answers -32006. */
export class StoreLockedError extends Error {
  readonly holder: LockHolder | undefined;
  readonly lockFile: string;

  constructor(lockFile: string, holder: LockHolder | undefined) {
    const who = holder
      ? `pid ${holder.pid} on ${holder.host} (${holder.command}) since ${holder.since}`
      : 'a process that left no details';
    super(`the project is locked by another writer: ${who}; stop it or wait (lock file: ${lockFile})`);
    this.name = 'StoreLockedError';
    this.holder = holder;
    this.lockFile = lockFile;
  }
}

export function lockFilePath(projectDir: string): string {
  return path.join(projectDir, STATE_DIR, 'lock');
}

function currentCommand(): string {
  const [, script, ...args] = process.argv;
  const name = script ? path.basename(script).replace(/\.js$/, '') : 'node';
  return [name === 'main' ? 'metabalance' : name, ...args].join(' ').slice(0, 300);
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return undefined;
    return { pid: h.pid, host: h.host, command: String(h.command ?? '?'), since: String(h.since ?? '?') };
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const fileAgeMs = (file: string) => stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);

/** Stale: the holder is a dead process on this host, or the file names nobody and is old (a crash while creating it). */
async function isStale(file: string, holder: LockHolder | undefined): Promise<boolean> {
  if (holder === undefined) return (await fileAgeMs(file)) > TAKEOVER_STALE_MS;
  return holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.since === b.since);

/** Creates `file` exclusively with `content`; false when it already exists. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(path.dirname(file));
  return true;
}


/** Removes a stale lock, guarded so only one of several contenders does it. True when removed. */
async function takeOverStale(file: string, seen: LockHolder | undefined): Promise<boolean> {
  const guard = `${file}.takeover`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    // A contender died while taking over: its guard is only a few milliseconds old normally.
    if ((await fileAgeMs(guard)) > TAKEOVER_STALE_MS) await rm(guard, { force: true });
    return false;
  }
  try {
    if (!sameHolder(await readHolder(file), seen)) return false;
    await rm(file, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WriterLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Takes the project's writer lock, retrying for up to `waitMs` while another live process holds it;
   * throws StoreLockedError naming the holder.
   */
  static async acquire(projectDir: string, opts: { waitMs?: number } = {}): Promise<WriterLock> {
    const file = lockFilePath(projectDir);
    await stateDir(projectDir);
    const holder: LockHolder = { pid: process.pid, host: hostname(), command: currentCommand(), since: new Date().toISOString() };
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (let attempt = 0; ; attempt++) {
      if (await createExclusive(file, `${JSON.stringify(holder)}\n`)) return new WriterLock(file, holder);
      const current = await readHolder(file);
      if ((await isStale(file, current)) && (await takeOverStale(file, current))) continue;
      if (Date.now() >= deadline) throw new StoreLockedError(file, current);
      await sleep(Math.min(200, 10 * 2 ** attempt));
    }
  }

  /** Gives the lock up (only if the file still names this holder). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (sameHolder(await readHolder(this.file), this.holder)) await rm(this.file, { force: true });
  }
}
