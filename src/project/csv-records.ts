// Spreadsheet rows → level or playtest records. Columns name fields: id, levelId, tester, at,
// param.<name>, metric.<name> for playtests; id, description, feature.<name> for levels. An empty
// cell is a missing value; cells are converted by the declared type (strict numbers, true/false
// for bools, the text for choices), and every problem names the CSV line and column.
import type { CsvRow } from '../util/csv.js';
import { didYouMean } from '../util/did-you-mean.js';
import { parseStrictNumber } from '../util/strict-number.js';
import type { Problem } from './errors.js';
import { showValue } from './errors.js';
import type { Param, Project } from './types.js';

export type RecordKind = 'levels' | 'playtests';

export interface SourcedRecord {
  /** The line the record came from. */
  line: number;
  record: Record<string, unknown>;
  /** Columns whose cells could not be converted (left out of the record). */
  failed?: string[];
}

export interface ConvertedRecords {
  kind: RecordKind;
  records: SourcedRecord[];
  /** Problems with line and field (the column name) set. */
  problems: Problem[];
}

const PLAYTEST_TEXT_COLUMNS = ['id', 'levelId', 'tester', 'at'];
const LEVEL_TEXT_COLUMNS = ['id', 'description'];

/** Playtests when any column is levelId, param.* or metric.*; levels otherwise. */
export function csvKind(header: readonly string[]): RecordKind {
  return header.some((c) => c === 'levelId' || c.startsWith('param.') || c.startsWith('metric.')) ? 'playtests' : 'levels';
}

/** A record field path as the CSV column that holds it: params.x → param.x, metrics.x → metric.x, features.x → feature.x. */
export function csvColumnOf(field: string): string {
  return field.replace(/^(param|metric|feature)s\./, '$1.');
}

type Cell = (text: string) => { value?: unknown; error?: string };

const numberCell: Cell = (text) => {
  const n = parseStrictNumber(text);
  if (n !== undefined) return { value: n };
  // A spreadsheet set to a decimal-comma locale writes 1,5; reading it as 1.5 or 15 would be a guess.
  const decimalComma = /^[-+]?\d*,\d+$/.test(text) ? `; numbers need a decimal point: ${text.replace(',', '.')}` : '';
  return { error: `must be a number (got ${showValue(text)}${decimalComma})` };
};

const boolText = (text: string): boolean | undefined => (/^true$/i.test(text) ? true : /^false$/i.test(text) ? false : undefined);

function paramCell(param: Param): Cell {
  if (param.type === 'bool') {
    return (text) => {
      const b = boolText(text);
      return b === undefined ? { error: `must be true or false (got ${showValue(text)})` } : { value: b };
    };
  }
  if (param.type === 'choice') return (text) => ({ value: text });
  return numberCell;
}

/** A rate metric may be written TRUE/FALSE in a spreadsheet: 1/0. */
const rateCell: Cell = (text) => {
  const b = boolText(text);
  return b === undefined ? numberCell(text) : { value: b ? 1 : 0 };
};

interface Column {
  /** Where the value goes in the record: [field] or [object, key]. */
  target: [string] | [string, string];
  cell: Cell;
}

function declared(what: string, name: string, names: readonly string[]): string {
  const prefix = `${what}.`;
  return `unknown ${what}${didYouMean(name, names, (s) => `${prefix}${s}`)} (declared: ${names.length > 0 ? names.join(', ') : 'none'})`;
}

/** Maps each header cell to where its values go; unknown or repeated columns are problems. */
function planColumns(project: Project, kind: RecordKind, header: readonly string[], line: number): { columns: (Column | undefined)[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const textCols = kind === 'playtests' ? PLAYTEST_TEXT_COLUMNS : LEVEL_TEXT_COLUMNS;
  const prefixes = kind === 'playtests' ? ['param.<name>', 'metric.<name>'] : ['feature.<name>'];
  const columns = header.map((name): Column | undefined => {
    if (name === '') return undefined;
    if (seen.has(name)) {
      problems.push({ line, field: name, message: 'this column appears twice' });
      return undefined;
    }
    seen.add(name);
    if (textCols.includes(name)) return { target: [name], cell: (text) => ({ value: text }) };
    const dot = name.indexOf('.');
    const [prefix, key] = dot === -1 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
    if (kind === 'playtests' && prefix === 'param') {
      const param = project.params.find((p) => p.name === key);
      if (param) return { target: ['params', key], cell: paramCell(param) };
      problems.push({ line, field: name, message: declared('param', key, project.params.map((p) => p.name)) });
      return undefined;
    }
    if (kind === 'playtests' && prefix === 'metric') {
      const metric = project.metrics.find((m) => m.name === key);
      if (metric) return { target: ['metrics', key], cell: metric.kind === 'rate' ? rateCell : numberCell };
      problems.push({ line, field: name, message: declared('metric', key, project.metrics.map((m) => m.name)) });
      return undefined;
    }
    if (kind === 'levels' && prefix === 'feature') {
      if (project.features.some((f) => f.name === key)) return { target: ['features', key], cell: numberCell };
      problems.push({ line, field: name, message: declared('feature', key, project.features.map((f) => f.name)) });
      return undefined;
    }
    problems.push({ line, field: name, message: `unknown column for ${kind} (expected ${[...textCols, ...prefixes].join(', ')})` });
    return undefined;
  });
  return { columns, problems };
}

/** CSV rows (the first is the header) → records of one kind, with every conversion problem. */
export function csvToRecords(project: Project, rows: readonly CsvRow[], kind?: RecordKind): ConvertedRecords {
  const [head, ...body] = rows;
  if (!head) return { kind: kind ?? 'playtests', records: [], problems: [{ message: 'is empty (expected a header row such as levelId,param.<name>,metric.<name>)' }] };
  const k = kind ?? csvKind(head.cells);
  const { columns, problems } = planColumns(project, k, head.cells, head.line);
  const records: SourcedRecord[] = [];
  for (const row of body) {
    const failed: string[] = [];
    const extra = row.cells.slice(head.cells.length).filter((c) => c !== '');
    if (extra.length > 0) problems.push({ line: row.line, message: `has ${row.cells.length} cells but the header has ${head.cells.length} columns` });
    const record: Record<string, unknown> = k === 'playtests' ? { params: {}, metrics: {} } : { features: {} };
    row.cells.forEach((text, i) => {
      const col = columns[i];
      if (!col || text === '') return;
      const { value, error } = col.cell(text);
      if (error !== undefined) {
        problems.push({ line: row.line, field: head.cells[i] as string, message: error });
        failed.push(head.cells[i] as string);
        return;
      }
      const [field, key] = col.target;
      if (key === undefined) record[field] = value;
      else (record[field] as Record<string, unknown>)[key] = value;
    });
    if (k === 'playtests' && Object.keys(record['params'] as object).length === 0) delete record['params'];
    records.push({ line: row.line, record, ...(failed.length > 0 ? { failed } : {}) });
  }
  return { kind: k, records, problems };
}
