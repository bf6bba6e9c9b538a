// The in-memory view of levels.jsonl and playtests.jsonl: validated records with the line each came
// from, levels upserted by id (last line wins), playtests (held as columns, see playtest-table.ts)
// indexed by id (for idempotent appends) and by level. It decides what an append would write; the
// store does the writing.
import type { Problem } from '../project/errors.js';
import { locate } from '../project/errors.js';
import type { Level, Playtest, Project } from '../project/types.js';
import { checkLevel, checkPlaytest } from '../project/validate.js';
import { canonicalJson } from '../util/json.js';
import type { JsonlLine } from './jsonl.js';
import { PlaytestTable } from './playtest-table.js';

export const LEVELS_FILE = 'levels.jsonl';
export const PLAYTESTS_FILE = 'playtests.jsonl';

export interface AppendResult {
  /** Ids written (a playtest sent without an id gets one: pt-<n>). */
  accepted: string[];
  /** The batch index of each accepted record, in the order of accepted. */
  acceptedIndexes: number[];
  /** Ids already stored with the same content: nothing written for them. */
  duplicates: string[];
  rejected: { index: number; id?: string; problems: Problem[] }[];
}

interface Stored<T> {
  record: T;
  /** Line in its file; undefined until the append that writes it has been made durable. */
  line?: number;
}

/**
 * A stored record's canonical JSON, computed only when an id comes again: keeping it for every
 * record would double the memory a million playtests take.
 */
const canonicalOf = <T>(s: Stored<T> | undefined): string | undefined => (s === undefined ? undefined : canonicalJson(s.record));

/** What an append would do: the records to write (in order) and the answer to give. */
export interface AppendPlan<T> {
  write: T[];
  result: AppendResult;
}

const idOf = (raw: unknown): string | undefined => {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
};

export class CorpusIndex {
  private readonly levelMap = new Map<string, Stored<Level>>();
  /** Every stored playtest, in file order; row r came from line playtestLines[r]. */
  private readonly table = new PlaytestTable();
  private readonly playtestLines: number[] = [];
  /** The rows served (learned from and listed), in file order. */
  private readonly servedRows: number[] = [];
  private readonly rowById = new Map<string, number>();
  private readonly rowsByLevel = new Map<string, number[]>();
  /** Stored playtests with params outside the ranges project.json now declares: kept, not learned from. */
  private readonly outOfRange: { id: string; line: number; params: string[] }[] = [];
  private readonly notes: string[] = [];

  constructor(private current: Project) {}

  get project(): Project {
    return this.current;
  }

  /**
   * A project definition every stored record satisfies (checked by problemsUnder): playtests left
   * out under the old ranges are in range now, and are served again in file order.
   */
  set project(project: Project) {
    this.current = project;
    if (this.outOfRange.length === 0) return;
    this.outOfRange.length = 0;
    this.servedRows.length = 0;
    this.rowsByLevel.clear();
    for (let row = 0; row < this.table.length; row++) this.serve(row);
  }

  /** Harmless oddities found while loading, one line each; all out-of-range playtests share one. */
  get warnings(): string[] {
    return this.outOfRange.length === 0 ? [...this.notes] : [...this.notes, this.outOfRangeWarning()];
  }

  private outOfRangeWarning(): string {
    const n = this.outOfRange.length;
    const byParam = new Map<string, number>();
    for (const o of this.outOfRange) for (const p of o.params) byParam.set(p, (byParam.get(p) ?? 0) + 1);
    const params = [...byParam].map(([name, count]) => `${name} in ${count}`).join(', ');
    const ids = this.outOfRange.slice(0, 5).map((o) => o.id).join(', ') + (n > 5 ? ` and ${n - 5} more` : '');
    return (
      `${PLAYTESTS_FILE}: ${n} playtest${n === 1 ? ' has' : 's have'} param values outside the ranges in project.json (${params}); ` +
      `left out of training and balancing until the ranges include them again: ${ids} (first at line ${this.outOfRange[0]?.line})`
    );
  }

  levels(): Level[] {
    return [...this.levelMap.values()].map((s) => s.record);
  }
  level(id: string): Level | undefined {
    return this.levelMap.get(id)?.record;
  }
  /** The served playtests, rebuilt one at a time as they are iterated. */
  *eachPlaytest(): IterableIterator<Playtest> {
    for (const row of this.servedRows) yield this.table.get(row);
  }
  get servedCount(): number {
    return this.servedRows.length;
  }
  playtestsFor(levelId: string): Playtest[] {
    return (this.rowsByLevel.get(levelId) ?? []).map((row) => this.table.get(row));
  }
  /** Served playtests [offset, offset + limit) of one level or of all, and how many there are in all. */
  playtestsPage(levelId: string | undefined, offset: number, limit: number): { playtests: Playtest[]; total: number } {
    const rows = levelId === undefined ? this.servedRows : (this.rowsByLevel.get(levelId) ?? []);
    return { playtests: rows.slice(offset, offset + limit).map((row) => this.table.get(row)), total: rows.length };
  }
  /** How many playtests a level has served (without rebuilding them). */
  playtestCountFor(levelId: string): number {
    return this.rowsByLevel.get(levelId)?.length ?? 0;
  }
  private storedPlaytest(id: string): { record: Playtest; line: number } | undefined {
    const row = this.rowById.get(id);
    return row === undefined ? undefined : { record: this.table.get(row), line: this.playtestLines[row]! };
  }

  /** Validates and adds lines read from levels.jsonl; a repeated id replaces the earlier level. */
  loadLevels(lines: readonly JsonlLine[]): Problem[] {
    const problems: Problem[] = [];
    for (const l of lines) {
      const where = { file: LEVELS_FILE, line: l.line };
      if (l.error !== undefined) {
        problems.push({ ...where, message: l.error });
        continue;
      }
      const { level, problems: p } = checkLevel(this.project, l.value);
      if (level) this.putLevel({ record: level, line: l.line });
      else problems.push(...locate(p, where));
    }
    return problems;
  }

  /** Validates and adds lines read from playtests.jsonl (levels must be loaded first). */
  loadPlaytests(lines: readonly JsonlLine[]): Problem[] {
    const problems: Problem[] = [];
    for (const l of lines) {
      const where = { file: PLAYTESTS_FILE, line: l.line };
      if (l.error !== undefined) {
        problems.push({ ...where, message: l.error });
        continue;
      }
      // A range narrowed in project.json after playtests were recorded leaves them out, not the project unusable.
      const { playtest, problems: p, outOfRange } = checkPlaytest(this.project, l.value, (id) => this.levelMap.has(id), true);
      if (!playtest) {
        problems.push(...locate(p, where));
        continue;
      }
      const prior = playtest.id !== undefined ? this.storedPlaytest(playtest.id) : undefined;
      if (prior && canonicalOf(prior) === canonicalJson(playtest)) {
        this.notes.push(`${PLAYTESTS_FILE}:${l.line}: repeats playtest "${playtest.id}" of line ${prior.line} (identical, counted once)`);
      } else if (prior) {
        problems.push({ ...where, field: 'id', message: `"${playtest.id}" is already used by a different playtest at line ${prior.line}` });
      } else {
        this.putPlaytest({ record: playtest, line: l.line }, outOfRange.length === 0);
        if (outOfRange.length > 0) this.outOfRange.push({ id: playtest.id ?? `(no id)`, line: l.line, params: outOfRange });
      }
    }
    return problems;
  }

  /** Decides an upsert of levels: new or changed ids are written, unchanged ones are duplicates. */
  planLevels(records: readonly unknown[]): AppendPlan<Level> {
    const result: AppendResult = { accepted: [], acceptedIndexes: [], duplicates: [], rejected: [] };
    const write: Level[] = [];
    const pending = new Map<string, string>();
    records.forEach((raw, index) => {
      const { level, problems } = checkLevel(this.project, raw);
      if (!level) {
        const id = idOf(raw);
        result.rejected.push({ index, ...(id !== undefined ? { id } : {}), problems });
        return;
      }
      const canonical = canonicalJson(level);
      if ((pending.get(level.id) ?? canonicalOf(this.levelMap.get(level.id))) === canonical) {
        result.duplicates.push(level.id);
        return;
      }
      pending.set(level.id, canonical);
      write.push(level);
      result.accepted.push(level.id);
      result.acceptedIndexes.push(index);
    });
    return { write, result };
  }

  /**
   * Decides an append of playtests: a stored id with the same content is a duplicate, with other
   * content a rejection; a playtest without an id gets the next free pt-<n>.
   */
  planPlaytests(records: readonly unknown[], recordName: (index: number) => string = (i) => `record ${i} of this batch`): AppendPlan<Playtest> {
    const result: AppendResult = { accepted: [], acceptedIndexes: [], duplicates: [], rejected: [] };
    const write: Playtest[] = [];
    const pending = new Map<string, Stored<Playtest> & { index: number }>();
    let next = this.table.length + 1;
    const hasLevel = (id: string) => this.levelMap.has(id);
    records.forEach((raw, index) => {
      const rawId = idOf(raw);
      // A playtest stored before its range was narrowed, sent again as it is, is a duplicate; new data must be in range.
      const tolerant = checkPlaytest(this.project, raw, hasLevel, true);
      const storedAs = rawId !== undefined ? this.storedPlaytest(rawId) : undefined;
      if (tolerant.playtest && tolerant.outOfRange.length > 0 && canonicalOf(storedAs) === canonicalJson(tolerant.playtest)) {
        result.duplicates.push(rawId as string);
        return;
      }
      const { playtest: checked, problems } = tolerant.outOfRange.length > 0 ? checkPlaytest(this.project, raw, hasLevel) : tolerant;
      if (!checked) {
        result.rejected.push({ index, ...(rawId !== undefined ? { id: rawId } : {}), problems });
        return;
      }
      let playtest = checked;
      if (playtest.id === undefined) {
        while (this.rowById.has(`pt-${next}`) || pending.has(`pt-${next}`)) next++;
        playtest = { id: `pt-${next++}`, ...checked };
      }
      const id = playtest.id as string;
      const stored = this.storedPlaytest(id);
      const earlier = pending.get(id);
      const prior = canonicalOf(earlier ?? stored);
      if (prior !== undefined && prior === canonicalJson(playtest)) {
        result.duplicates.push(id);
      } else if (prior !== undefined) {
        const where = earlier ? recordName(earlier.index) : `${PLAYTESTS_FILE}:${stored?.line}`;
        result.rejected.push({ index, id, problems: [{ field: 'id', message: `"${id}" is already used by a different playtest (${where})` }] });
      } else {
        pending.set(id, { record: playtest, index });
        write.push(playtest);
        result.accepted.push(id);
        result.acceptedIndexes.push(index);
      }
    });
    return { write, result };
  }

  /** Records that were just written durably, starting at `firstLine` of their file. */
  commitLevels(levels: readonly Level[], firstLine: number): void {
    levels.forEach((level, i) => this.putLevel({ record: level, line: firstLine + i }));
  }
  commitPlaytests(playtests: readonly Playtest[], firstLine: number): void {
    playtests.forEach((pt, i) => this.putPlaytest({ record: pt, line: firstLine + i }));
  }

  /** Every stored record checked against another project definition (before project.json is replaced). */
  problemsUnder(project: Project): Problem[] {
    const problems: Problem[] = [];
    for (const s of this.levelMap.values()) {
      problems.push(...locate(checkLevel(project, s.record).problems, { file: LEVELS_FILE, line: s.line }));
    }
    const hasLevel = (id: string) => this.levelMap.has(id);
    for (let row = 0; row < this.table.length; row++) {
      problems.push(...locate(checkPlaytest(project, this.table.get(row), hasLevel).problems, { file: PLAYTESTS_FILE, line: this.playtestLines[row] }));
    }
    return problems;
  }

  private putLevel(s: Stored<Level>): void {
    this.levelMap.set(s.record.id, s);
  }

  /** Indexes a stored playtest; one that is not `usable` keeps its id (appends stay idempotent) but is not served. */
  private putPlaytest(s: Stored<Playtest>, usable = true): void {
    const row = this.table.push(s.record);
    this.playtestLines.push(s.line ?? 0);
    if (s.record.id !== undefined) this.rowById.set(s.record.id, row);
    if (usable) this.serve(row);
  }

  private serve(row: number): void {
    this.servedRows.push(row);
    const levelId = this.table.levelId(row);
    const list = this.rowsByLevel.get(levelId);
    if (list) list.push(row);
    else this.rowsByLevel.set(levelId, [row]);
  }
}
