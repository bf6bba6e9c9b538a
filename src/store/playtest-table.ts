// Checked playtests held as columns (typed arrays, interned strings) instead of one object each: a
// million playtests as objects take about 800 MB of heap, as columns about a third of that. A
// record is rebuilt on demand (get), so callers that iterate the corpus hold one at a time.
import type { ParamValue, Playtest } from '../project/types.js';
import { Growable } from '../util/growable.js';

const MISSING = 0;
const NUMBER = 1;
const BOOLEAN = 2;
const STRING = 3;

/** Strings stored once each, referred to by index (level ids, testers, enum values). */
class Interned {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** One named value per row (a param or a metric): its kind per row and the number / boolean / string index. */
class Column {
  readonly kind = new Growable((n) => new Uint8Array(n));
  readonly value = new Growable((n) => new Float64Array(n));
  constructor(readonly name: string) {}
}

/** Named values (the params, or the metrics) in columns created as names first appear. */
class ColumnGroup {
  readonly columns: Column[] = [];
  private readonly byName = new Map<string, Column>();
  constructor(private readonly strings: Interned) {}

  put(row: number, values: Record<string, ParamValue> | undefined): void {
    // Kinds start zeroed (MISSING): a row sets only the names it has.
    if (values === undefined) return;
    for (const [name, v] of Object.entries(values)) {
      let c = this.byName.get(name);
      if (c === undefined) {
        c = new Column(name);
        this.columns.push(c);
        this.byName.set(name, c);
      }
      if (typeof v === 'number') {
        c.kind.set(row, NUMBER);
        c.value.set(row, v);
      } else if (typeof v === 'boolean') {
        c.kind.set(row, BOOLEAN);
        c.value.set(row, v ? 1 : 0);
      } else {
        c.kind.set(row, STRING);
        c.value.set(row, this.strings.of(v));
      }
    }
  }

  get(row: number): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    for (const c of this.columns) {
      const kind = row < c.kind.data.length ? c.kind.data[row] : MISSING;
      if (kind === MISSING) continue;
      const v = c.value.data[row]!;
      out[c.name] = kind === NUMBER ? v : kind === BOOLEAN ? v === 1 : this.strings.values[v]!;
    }
    return out;
  }
}

export class PlaytestTable {
  private rows = 0;
  private readonly strings = new Interned();
  private readonly ids: (string | undefined)[] = [];
  private readonly ats: (string | undefined)[] = [];
  private readonly level = new Growable((n) => new Int32Array(n));
  /** interned tester, -1 when none */
  private readonly tester = new Growable((n) => new Int32Array(n));
  private readonly params = new ColumnGroup(this.strings);
  private readonly metrics = new ColumnGroup(this.strings);

  get length(): number {
    return this.rows;
  }

  /** Stores a checked playtest; returns its row. */
  push(pt: Playtest): number {
    const row = this.rows++;
    this.ids.push(pt.id);
    // `at` is usually unique: interning it would cost more than it saves.
    this.ats.push(pt.at);
    this.level.set(row, this.strings.of(pt.levelId));
    this.tester.set(row, pt.tester === undefined ? -1 : this.strings.of(pt.tester));
    this.params.put(row, pt.params);
    this.metrics.put(row, pt.metrics);
    return row;
  }

  levelId(row: number): string {
    return this.strings.values[this.level.data[row]!]!;
  }

  /** The playtest of a row, rebuilt with the fields it was stored with. */
  get(row: number): Playtest {
    const id = this.ids[row];
    const levelId = this.levelId(row);
    const params = this.params.get(row);
    const metrics = this.metrics.get(row) as Record<string, number>;
    // Plain literals, not a spread: spread-built objects outlived V8's young generation and every
    // pass over a million playtests grew the old one by hundreds of MB.
    const pt: Playtest = id !== undefined ? { id, levelId, params, metrics } : { levelId, params, metrics };
    const tester = this.tester.data[row]!;
    if (tester >= 0) pt.tester = this.strings.values[tester]!;
    const at = this.ats[row];
    if (at !== undefined) pt.at = at;
    return pt;
  }
}
