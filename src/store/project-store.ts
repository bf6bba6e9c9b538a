// A project folder opened for reading and durable appending. Loading validates every file and
// fails naming each bad line (file:line:field); the one exception is a torn last line (no newline,
// not valid JSON), the mark of a crash mid-append, which is cut away, saved aside and reported.
// Appends are serialized within the process, take the writer lock (or use the one held for the
// store's lifetime), first read whatever another writer appended, and resolve only after fsync.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../project/errors.js';
import { InputError } from '../project/errors.js';
import type { Level, Playtest, Project } from '../project/types.js';
import type { Repair } from '../rpc/protocol-types.js';
import { groupUnknownLevels, parseProject } from '../project/validate.js';
import { jsonErrorLocation, jsonErrorMessage, jsonLine } from '../util/json.js';
import { SerialQueue } from '../util/serial-queue.js';
import type { AppendResult } from './corpus-index.js';
import { CorpusIndex, LEVELS_FILE, PLAYTESTS_FILE } from './corpus-index.js';
import { appendDurably, truncateDurably, writeFileAtomic } from './durable.js';
import type { JsonlChunk, JsonlLine } from './jsonl.js';
import { streamJsonl } from './jsonl.js';
import { StoreLockedError, WriterLock } from './lock.js';
import { STATE_DIR, stateDir } from './state-dir.js';

export type { AppendResult } from './corpus-index.js';
export { StoreLockedError } from './lock.js';
export type { LockHolder } from './lock.js';

export const PROJECT_FILE = 'project.json';

export interface StoreOptions {
  /** Hold the writer lock from open to close (a server); otherwise each write takes it briefly. */
  holdLock?: boolean;
  /** How long a write waits for another writer's lock before StoreLockedError (default 0 with holdLock, else 2000 ms). */
  lockWaitMs?: number;
}

export interface WriteOptions {
  /** Write nothing when any record is rejected (accepted is then empty). */
  allOrNothing?: boolean;
  /** Only check: the result says what would be accepted, nothing is written. */
  dryRun?: boolean;
  /** How a problem names another record of the same write (default "record N of this batch"; an import names its file line). */
  recordName?: (index: number) => string;
}

type FileKey = 'levels' | 'playtests';
const FILE_NAMES: Record<FileKey, string> = { levels: LEVELS_FILE, playtests: PLAYTESTS_FILE };

interface Cursor {
  /** Bytes of the file already read into the index. */
  end: number;
  nextLine: number;
}

/** project.json → Project, or InputError naming the file (and line, for invalid JSON). */
export async function readProjectFile(dir: string): Promise<Project> {
  let text: string;
  try {
    text = await readFile(path.join(dir, PROJECT_FILE), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError({ file: PROJECT_FILE, message: `not found in ${dir} (create a project with: metabalance init DIR)` });
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorLocation(e, text);
    throw new InputError({ file: PROJECT_FILE, line: at.line, message: `invalid JSON: ${jsonErrorMessage(e)} (column ${at.column})` });
  }
  return parseProject(raw, PROJECT_FILE);
}

/** Something loading had to repair in a file (or had to leave alone): the wire type of `initialize`'s `repairs`, generated from its schema. */
export type { Repair };

export class ProjectStore {
  /** What loading had to repair (or could not), in the order found. */
  readonly repairLog: Repair[] = [];
  private readonly index: CorpusIndex;
  private readonly queue = new SerialQueue();
  private readonly cursors: Record<FileKey, Cursor> = { levels: { end: 0, nextLine: 1 }, playtests: { end: 0, nextLine: 1 } };
  private closed = false;
  /** Set when another writer left a bad line: writes are refused until the folder is fixed and reopened. */
  private broken: InputError | undefined;
  private opened = false;
  /** The lock a write took for its own duration (when the store does not hold one for its lifetime). */
  private writeLock: WriterLock | undefined;

  private constructor(
    readonly dir: string,
    project: Project,
    private heldLock: WriterLock | undefined,
    private readonly lockWaitMs: number,
  ) {
    this.index = new CorpusIndex(project);
  }

  /** Opens and validates a project folder; throws InputError listing every problem, StoreLockedError when holdLock and locked. */
  static async open(dir: string, opts: StoreOptions = {}): Promise<ProjectStore> {
    const abs = path.resolve(dir);
    const lock = opts.holdLock ? await WriterLock.acquire(abs, { waitMs: opts.lockWaitMs ?? 0 }) : undefined;
    try {
      const store = new ProjectStore(abs, await readProjectFile(abs), lock, opts.lockWaitMs ?? 2000);
      await store.catchUp();
      store.opened = true;
      return store;
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  /** The repairs as readable lines. */
  get repairs(): string[] {
    return this.repairLog.map((r) => r.message);
  }

  get project(): Project {
    return this.index.project;
  }
  /** Harmless oddities found while loading (e.g. a playtest line repeated verbatim). */
  get warnings(): readonly string[] {
    return this.index.warnings;
  }
  levels(): Level[] {
    return this.index.levels();
  }
  level(id: string): Level | undefined {
    return this.index.level(id);
  }
  /** Every served playtest as an array: rebuilds them all at once, so a large corpus should use eachPlaytest. */
  playtests(): Playtest[] {
    return [...this.index.eachPlaytest()];
  }
  /** Every served playtest, in file order, rebuilt one at a time as it is iterated (the store holds them as columns); can be iterated again. */
  eachPlaytest(): Iterable<Playtest> {
    return { [Symbol.iterator]: () => this.index.eachPlaytest() };
  }
  /** How many playtests are served (learned from and listed). */
  get playtestCount(): number {
    return this.index.servedCount;
  }
  playtestsFor(levelId: string): Playtest[] {
    return this.index.playtestsFor(levelId);
  }
  playtestCountFor(levelId: string): number {
    return this.index.playtestCountFor(levelId);
  }
  playtestsPage(levelId: string | undefined, offset: number, limit: number): { playtests: Playtest[]; total: number } {
    return this.index.playtestsPage(levelId, offset, limit);
  }

  /** Adds or replaces levels by id (a level file line with a known id replaces that level: last wins). */
  upsertLevels(records: unknown[], opts: WriteOptions = {}): Promise<AppendResult> {
    return this.write(async () => {
      await this.catchUp();
      const plan = this.index.planLevels(records);
      await this.appendPlanned('levels', plan.write, plan.result, opts);
      return plan.result;
    });
  }

  /** Appends playtests, idempotent by id; resolves after the lines are fsync'd. */
  appendPlaytests(records: unknown[], opts: WriteOptions = {}): Promise<AppendResult> {
    return this.write(async () => {
      await this.catchUp();
      const plan = this.index.planPlaytests(records, opts.recordName);
      await this.appendPlanned('playtests', plan.write, plan.result, opts);
      return plan.result;
    });
  }

  /** Replaces project.json, refusing (InputError) a definition that any stored level or playtest would violate. */
  updateProject(raw: unknown): Promise<Project> {
    return this.write(async () => {
      await this.catchUp();
      const project = parseProject(raw, PROJECT_FILE);
      const problems = this.index.problemsUnder(project);
      if (problems.length > 0) throw new InputError(problems);
      await writeFileAtomic(path.join(this.dir, PROJECT_FILE), `${JSON.stringify(raw, null, 2)}\n`);
      this.index.project = project;
      return project;
    });
  }

  /** Waits for pending writes, then gives up the lock if held. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    await this.heldLock?.release();
    this.heldLock = undefined;
  }

  private file(key: FileKey): string {
    return path.join(this.dir, FILE_NAMES[key]);
  }

  /**
   * Streams the lines appended to a file since it was last read (by another writer, or all of it on
   * open) to `onLines` batch by batch; returns where reading ended and any text after the last newline.
   */
  private async readNew(key: FileKey, onLines: (lines: JsonlLine[]) => void): Promise<JsonlChunk> {
    const cursor = this.cursors[key];
    const size = await stat(this.file(key)).then((s) => s.size, () => 0);
    if (size < cursor.end) throw new Error(`${FILE_NAMES[key]} shrank while the store was open (was ${cursor.end} bytes, now ${size}); reopen the project`);
    if (size === cursor.end) return { lines: [], end: cursor.end, nextLine: cursor.nextLine };
    const chunk = await streamJsonl(this.file(key), cursor.end, cursor.nextLine, onLines);
    cursor.end = chunk.end;
    cursor.nextLine = chunk.nextLine;
    return chunk;
  }

  /** Deals with text after the last newline: a complete record gets its newline, a torn one is cut away. */
  private async repairTail(key: FileKey, chunk: JsonlChunk): Promise<void> {
    const tail = chunk.tail;
    if (!tail) return;
    const name = FILE_NAMES[key];
    const repaired = await this.withLockIfFree(async () => {
      if (tail.complete) {
        await appendDurably(this.file(key), '\n');
        chunk.lines.push({ line: tail.line, value: tail.value });
        this.cursors[key] = { end: (await stat(this.file(key))).size, nextLine: tail.line + 1 };
        this.repairLog.push({ file: name, line: tail.line, action: 'added-newline', message: `${name}:${tail.line}: added the missing newline at the end of the file` });
      } else {
        const saved = await this.saveTorn(name, tail.text);
        await truncateDurably(this.file(key), tail.offset);
        this.repairLog.push({
          file: name,
          line: tail.line,
          action: 'removed-torn-line',
          savedTo: saved,
          message: `${name}:${tail.line}: removed an incomplete last line (${Buffer.byteLength(tail.text)} bytes) left by an interrupted write; saved to ${saved}`,
        });
      }
    });
    if (!repaired) {
      this.repairLog.push({
        file: name,
        line: tail.line,
        action: 'ignored-torn-line',
        message: `${name}:${tail.line}: ignored an incomplete last line: another writer holds the lock and may still be writing it`,
      });
    }
  }

  /** Keeps a removed torn line under .metabalance/repaired/ so nothing a person typed is lost for good. */
  private async saveTorn(name: string, text: string): Promise<string> {
    const dir = await stateDir(this.dir, 'repaired');
    const file = `${name}.${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
    await writeFileAtomic(path.join(dir, file), `${text}\n`);
    return path.join(STATE_DIR, 'repaired', file);
  }

  /** Runs `task` under the writer lock if it can be had at once; false when another writer holds it. */
  private async withLockIfFree(task: () => Promise<void>): Promise<boolean> {
    // Under our own lock a tail cannot be another writer's line in progress, and must be repaired
    // before we append after it, or our first record would be glued onto the torn text.
    if (this.heldLock || this.writeLock) {
      await task();
      return true;
    }
    let lock: WriterLock;
    try {
      lock = await WriterLock.acquire(this.dir, { waitMs: 0 });
    } catch (e) {
      if (e instanceof StoreLockedError) return false;
      throw e;
    }
    try {
      await task();
      return true;
    } finally {
      await lock.release();
    }
  }

  /** Serializes a write and runs it under the writer lock. */
  private write<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the store for ${this.dir} is closed`));
    if (this.broken) return Promise.reject(this.broken);
    return this.queue.run(async () => {
      if (this.heldLock) return task();
      const lock = await WriterLock.acquire(this.dir, { waitMs: this.lockWaitMs });
      this.writeLock = lock;
      try {
        return await task();
      } finally {
        this.writeLock = undefined;
        await lock.release();
      }
    });
  }

  /** Reads, validates and indexes what is new in the files: all of them on open, later what other writers appended. */
  private async catchUp(): Promise<void> {
    const problems: Problem[] = [];
    for (const key of ['levels', 'playtests'] as const) {
      // Each batch is checked and indexed as it is read: only the index holds the whole file.
      const load = (lines: JsonlLine[]) => problems.push(...(key === 'levels' ? this.index.loadLevels(lines) : this.index.loadPlaytests(lines)));
      const chunk = await this.readNew(key, load);
      await this.repairTail(key, chunk);
      if (chunk.lines.length > 0) load(chunk.lines);
    }
    if (problems.length === 0) return;
    const grouped = groupUnknownLevels(problems, `add them to ${LEVELS_FILE} first`);
    if (!this.opened) throw new InputError(grouped);
    throw (this.broken = new InputError(grouped, 'fix the files, then reopen the project'));
  }

  /** Writes planned records durably, then indexes them (nothing at all when allOrNothing and any was rejected). */
  private async appendPlanned<T extends Level | Playtest>(key: FileKey, records: T[], result: AppendResult, opts: WriteOptions): Promise<void> {
    if (opts.allOrNothing && result.rejected.length > 0) {
      result.accepted = [];
      result.acceptedIndexes = [];
      return;
    }
    if (records.length === 0 || opts.dryRun) return;
    const written = await appendDurably(this.file(key), linePieces(records));
    const cursor = this.cursors[key];
    if (key === 'levels') this.index.commitLevels(records as Level[], cursor.nextLine);
    else this.index.commitPlaytests(records as Playtest[], cursor.nextLine);
    cursor.end += written;
    cursor.nextLine += records.length;
  }
}

/** Records as JSONL text a few thousand lines at a time: an import of a million is never one string. */
function* linePieces(records: readonly unknown[], per = 4096): Generator<string> {
  for (let i = 0; i < records.length; i += per) yield records.slice(i, i + per).map((r) => jsonLine(r)).join('');
}
