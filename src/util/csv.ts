// RFC 4180 CSV as spreadsheets write it: comma-separated (or semicolon- or tab-separated, as
// spreadsheets in locales with a decimal comma save "CSV"), fields optionally in double quotes with
// "" for a quote, quoted fields may span lines, CRLF or LF line ends, an optional UTF-8 BOM.

export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export type CsvDelimiter = ',' | ';' | '\t';

/** The delimiter the header row (the first line) uses most outside quotes; a comma when it uses none. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as CsvDelimiter)) counts.set(ch as CsvDelimiter, (counts.get(ch as CsvDelimiter) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** Rows of `text`; blank lines are skipped; unquoted cells are trimmed, quoted ones kept as written. */
export function parseCsv(text: string, delimiter: CsvDelimiter = ','): CsvRow[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  const endCell = () => {
    cells.push(quoted || afterQuote ? cell : cell.trim());
    cell = '';
    afterQuote = false;
  };
  const endRow = () => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === delimiter) endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else if (afterQuote) {
      if (ch !== ' ' && ch !== '\t') throw new CsvSyntaxError(line, `unexpected ${JSON.stringify(ch)} after a closing quote (write "" for a quote inside a quoted cell)`);
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new CsvSyntaxError(rowLine, 'a quoted cell is never closed (missing ")');
  if (cell !== '' || cells.length > 0 || afterQuote) endRow();
  return rows;
}
