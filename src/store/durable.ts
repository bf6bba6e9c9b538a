// The few file operations the store relies on for durability: a write is acknowledged only after
// the data (and, for a new file, the directory entry naming it) has been fsync'd.
import { open, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';

/** fsync a directory so a file created, renamed or removed in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Appends `text` (one string, or pieces encoded one at a time so a large batch is never one string)
 * to `file` and fsyncs it (and the directory when the file is new) before resolving; returns the
 * bytes written. If a write fails part-way the file is cut back to its old size, so a later append
 * never lands after a half-written line.
 */
export async function appendDurably(file: string, text: string | Iterable<string>): Promise<number> {
  const before = await sizeOf(file);
  const fh = await open(file, 'a');
  let written = 0;
  try {
    try {
      for (const piece of typeof text === 'string' ? [text] : text) {
        const data = Buffer.from(piece, 'utf8');
        for (let at = 0; at < data.length; ) at += (await fh.write(data, at, data.length - at)).bytesWritten;
        written += data.length;
      }
      await fh.sync();
    } catch (e) {
      await fh.truncate(before ?? 0).catch(() => undefined);
      throw e;
    }
  } finally {
    await fh.close();
  }
  if (before === undefined) await fsyncDir(path.dirname(file));
  return written;
}

/** Replaces `file` with `text` atomically: a temporary sibling, fsync'd, renamed over it, directory fsync'd. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(path.dirname(file));
}

/** Cuts `file` to `size` bytes and fsyncs it (used to remove a torn last line). */
export async function truncateDurably(file: string, size: number): Promise<void> {
  await truncate(file, size);
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
