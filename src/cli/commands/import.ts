// `metabalance import --project DIR FILE`: levels or playtests from JSONL or CSV, all or nothing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConvertedRecords, RecordKind } from '../../project/csv-records.js';
import { csvColumnOf, csvToRecords } from '../../project/csv-records.js';
import type { Problem } from '../../project/errors.js';
import { InputError, UsageError } from '../../project/errors.js';
import type { Project } from '../../project/types.js';
import { groupUnknownLevels } from '../../project/validate.js';
import { implausibleMessage, outsideRange } from '../../model/encoding.js';
import { parseJsonl } from '../../store/jsonl.js';
import type { AppendResult } from '../../store/project-store.js';
import { ProjectStore } from '../../store/project-store.js';
import { CsvSyntaxError, detectDelimiter, parseCsv } from '../../util/csv.js';
import { expectPositionals, parseArgs, required } from '../args.js';
import type { CliIo, Command } from '../command.js';

const usage = `usage: metabalance import --project DIR FILE [--kind levels|playtests] [--strict] [--json]

Appends the levels or playtests in FILE to the project, after checking every record: if any
record is bad, nothing is imported and every problem is listed as FILE:LINE: FIELD: MESSAGE.
Records whose id is already stored with the same content are skipped as duplicates, so an import
can be repeated safely when its records carry ids. A level whose id is already stored is replaced.

FILE formats:
  JSONL  one JSON record a line, as in levels.jsonl / playtests.jsonl
  CSV    a header row, then one record a row, comma-separated (semicolon- or tab-separated
         files, as some spreadsheets save them, are recognized from the header). Playtest columns: levelId, id, tester, at,
         param.<name>, metric.<name>; level columns: id, description, feature.<name>.
         Quote cells with "…" ("" for a quote); an empty cell is a missing value; numbers are
         plain decimals (1.5, -2, 3e4); bools are true/false; a rate metric may also be true/false.
Whether FILE holds levels or playtests is read from its columns / fields (levelId, param.*,
metric.* mean playtests); --kind overrides it. The format is read from the extension (.csv;
.jsonl/.ndjson/.json) or else from the content.

A playtest metric far outside what the project's stored playtests show (more than 10 robust sds
from their median, e.g. a duration in milliseconds) is imported with a warning FILE:LINE: FIELD;
training treats such values as gross errors and does not learn from them. --strict refuses the
import instead.

options:
  --project DIR   the project folder
  --kind KIND     levels or playtests
  --strict        treat implausible metric values as errors (nothing imported)
  --json          print the summary as one JSON object`;

/** The format by extension (undefined: read it from the content). */
function csvByName(file: string): boolean | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return true;
  if (['.jsonl', '.ndjson', '.json'].includes(ext)) return false;
  return undefined;
}

const looksLikePlaytest = (v: unknown) => v !== null && typeof v === 'object' && ['levelId', 'metrics', 'params'].some((k) => k in v);

function jsonlRecords(bytes: Buffer, kind: RecordKind | undefined): ConvertedRecords {
  const chunk = parseJsonl(bytes);
  const lines = chunk.tail ? [...chunk.lines, chunk.tail.complete ? { line: chunk.tail.line, value: chunk.tail.value } : { line: chunk.tail.line, error: 'invalid JSON: the line is cut off' }] : chunk.lines;
  const problems: Problem[] = lines.flatMap((l) => (l.error !== undefined ? [{ line: l.line, message: l.error }] : []));
  const records = lines.flatMap((l) => (l.error === undefined ? [{ line: l.line, record: l.value as Record<string, unknown> }] : []));
  return { kind: kind ?? (looksLikePlaytest(records[0]?.record) ? 'playtests' : 'levels'), records, problems };
}

/** FILE's text; a FILE that is missing or not a file is bad input (exit 2), not an internal failure. */
async function readInput(file: string, shown: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError({ file: shown, message: 'no such file' }, 'nothing imported');
    if (code === 'EISDIR') throw new InputError({ file: shown, message: 'is a folder, not a file' }, 'nothing imported');
    throw e;
  }
}

const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab' } as const;

async function readRecords(
  file: string,
  shown: string,
  project: Project,
  kind: RecordKind | undefined,
  io: CliIo,
): Promise<{ converted: ConvertedRecords; csv: boolean }> {
  const bytes = await readInput(file, shown);
  // A JSONL file is parsed line by line from its bytes: decoding a million playtests as one string first would double the memory.
  if (csvByName(file) === false) return { converted: jsonlRecords(bytes, kind), csv: false };
  const text = bytes.toString('utf8');
  if (!(csvByName(file) ?? !text.trimStart().startsWith('{'))) return { converted: jsonlRecords(bytes, kind), csv: false };
  const delimiter = detectDelimiter(text);
  if (delimiter !== ',') io.err(`${shown}: reading it as ${DELIMITER_NAMES[delimiter]}-separated (from its header row)`);
  try {
    return { converted: csvToRecords(project, parseCsv(text, delimiter), kind), csv: true };
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { converted: { kind: kind ?? 'playtests', records: [], problems: [{ line: e.line, message: e.message }] }, csv: true };
    throw e;
  }
}

/** A record problem caused by a cell already reported as unconvertible (the cell itself, or its now-empty group). */
function echoesFailedCell(field: string | undefined, failed: readonly string[] | undefined): boolean {
  if (!failed || field === undefined) return false;
  return failed.some((col) => col === field || col.startsWith(`${field.replace(/s$/, '')}.`));
}

function listed(ids: readonly string[], cap = 10): string {
  return ids.length <= cap ? ids.join(', ') : `${ids.slice(0, cap).join(', ')} … and ${ids.length - cap} more`;
}

const count = (n: number, plural: string) => `${n} ${n === 1 ? plural.replace(/s$/, '') : plural}`;

function report(io: CliIo, kind: RecordKind, result: AppendResult, json: boolean, file: string, warnings: readonly { file: string; line?: number; field: string; message: string }[]): void {
  for (const w of warnings) io.err(`warning: ${w.file}:${w.line}: ${w.field}: ${w.message}; imported (training treats it as a gross error; --strict refuses it)`);
  if (result.accepted.length > 0) io.err(`${kind === 'levels' ? 'added or replaced' : 'imported'}: ${listed(result.accepted)}`);
  if (result.duplicates.length > 0) io.err(`skipped as duplicates (already stored): ${listed(result.duplicates)}`);
  if (json) io.out(JSON.stringify({ kind, file, imported: result.accepted.length, duplicates: result.duplicates.length, warnings: warnings.length }));
  else io.out(`imported ${count(result.accepted.length, kind)} from ${file}; skipped ${count(result.duplicates.length, 'duplicates')}`);
}

export const command: Command = {
  name: 'import',
  usage,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, { project: { type: 'string' }, kind: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' } });
    const dir = path.resolve(io.cwd, required(flags.project, '--project DIR'));
    expectPositionals(positionals, 1, 1, 'the FILE to import');
    const kind = flags.kind;
    if (kind !== undefined && kind !== 'levels' && kind !== 'playtests') throw new UsageError(`--kind: must be levels or playtests (got "${kind}")`);
    const shown = positionals[0] as string;
    const file = path.resolve(io.cwd, shown);
    const store = await ProjectStore.open(dir);
    try {
      const { converted, csv } = await readRecords(file, shown, store.project, kind, io);
      const problems = converted.problems.map((p) => ({ ...p, file: shown }));
      const records = converted.records.map((r) => r.record);
      const implausible = (converted.kind === 'playtests' ? outsideRange(store.project, store.eachPlaytest(), records) : []).map((o) => {
        const field = `metrics.${o.metric}`;
        const line = converted.records[o.index]?.line;
        return {
          file: shown,
          ...(line !== undefined ? { line } : {}),
          field: csv ? csvColumnOf(field) : field,
          message: implausibleMessage(o),
        };
      });
      if (flags.strict) problems.push(...implausible);
      // With conversion problems nothing will be written, but the other records are still checked so every problem shows.
      const recordName = (i: number) => `line ${converted.records[i]?.line} of this file`;
      const opts = { allOrNothing: true, dryRun: problems.length > 0, recordName };
      const result = converted.kind === 'levels' ? await store.upsertLevels(records, opts) : await store.appendPlaytests(records, opts);
      for (const r of result.rejected) {
        const source = converted.records[r.index];
        for (const p of r.problems) {
          const field = p.field !== undefined && csv ? csvColumnOf(p.field) : p.field;
          if (echoesFailedCell(field, source?.failed)) continue;
          problems.push({ file: shown, ...(source ? { line: source.line } : {}), ...(field !== undefined ? { field } : {}), message: p.message });
        }
      }
      if (problems.length > 0) {
        problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
        const fix = `import the levels first (metabalance import --project ${flags.project} LEVELS-FILE)`;
        throw new InputError(groupUnknownLevels(problems, fix), `nothing imported from ${shown}`);
      }
      report(io, converted.kind, result, Boolean(flags.json), shown, implausible);
      return 0;
    } finally {
      await store.close();
    }
  },
};
