// Model folders under DIR/models/: written into a hidden temporary folder, fsync'd, then renamed
// into place, so a reader never sees half a model. A manifest (.complete) written last inside the
// temporary folder lists every file and its size; only folders whose files match it count.
// A writer killed mid-way leaves its temporary folder (.tmp-<modelId>-<pid>); the next writer
// removes those whose process is gone.
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './durable.js';
import { processAlive } from './lock.js';

export const MODELS_DIR = 'models';
const MANIFEST = '.complete';

let lastStamp = '';
let sameStampCount = 0;

/** A new model id that sorts by creation time: m-20261122T150512123Z-000. */
export function newModelId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  sameStampCount = stamp === lastStamp ? sameStampCount + 1 : 0;
  lastStamp = stamp;
  return `m-${stamp}-${String(sameStampCount).padStart(3, '0')}`;
}

const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TMP_PREFIX = '.tmp-';
/** The writer's pid, from a temporary folder's name. */
const TMP_OWNER = /^\.tmp-.+-(\d+)$/;

/** Removes temporary folders whose writer process has died (a kill during a save); keeps any a live process may still own. */
async function removeAbandoned(models: string): Promise<void> {
  for (const entry of await readdir(models, { withFileTypes: true })) {
    const pid = Number(TMP_OWNER.exec(entry.name)?.[1] ?? NaN);
    if (!entry.isDirectory() || !Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(path.join(models, entry.name), { recursive: true, force: true });
  }
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes models/<modelId>/ atomically (temporary folder + rename); returns the folder path. */
export async function writeModelFolder(projectDir: string, modelId: string, files: Record<string, Uint8Array | string>): Promise<string> {
  if (!VALID_ID.test(modelId)) throw new Error(`invalid model id "${modelId}"`);
  const models = path.join(projectDir, MODELS_DIR);
  if ((await mkdir(models, { recursive: true })) !== undefined) await fsyncDir(projectDir);
  await removeAbandoned(models);
  const final = path.join(models, modelId);
  const tmp = path.join(models, `${TMP_PREFIX}${modelId}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    const sizes: Record<string, number> = {};
    for (const [name, data] of Object.entries(files)) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`invalid model file name "${name}"`);
      await writeSynced(path.join(tmp, name), data);
      sizes[name] = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    }
    await writeSynced(path.join(tmp, MANIFEST), `${JSON.stringify({ modelId, files: sizes })}\n`);
    await fsyncDir(tmp);
    await rename(tmp, final);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await fsyncDir(models);
  return final;
}

async function isComplete(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as { files?: Record<string, number> };
    for (const [name, size] of Object.entries(manifest.files ?? {})) {
      if ((await stat(path.join(dir, name))).size !== size) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The newest model folder whose files are all there (by id order, which is creation order); null when none. */
export async function latestModelFolder(projectDir: string): Promise<{ id: string; dir: string } | null> {
  const models = path.join(projectDir, MODELS_DIR);
  let entries;
  try {
    entries = await readdir(models, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const ids = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort().reverse();
  for (const id of ids) {
    const dir = path.join(models, id);
    if (await isComplete(dir)) return { id, dir };
  }
  return null;
}

/** Every file of a model folder by name (the hidden manifest aside). */
export async function readModelFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) files.set(entry.name, await readFile(path.join(dir, entry.name)));
  }
  return files;
}
