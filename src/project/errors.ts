// Errors a person can act on: every problem names where it is (file, line, field) and what is wrong,
// and a bad input reports all its problems at once rather than the first.

export interface Problem {
  file?: string;
  line?: number;
  field?: string;
  message: string;
}

/** 'playtests.jsonl:57: params.enemyHealth: must be a number (got "lots")' */
export function formatProblem(p: Problem): string {
  let where = '';
  if (p.file !== undefined) where = p.line !== undefined ? `${p.file}:${p.line}: ` : `${p.file}: `;
  else if (p.line !== undefined) where = `line ${p.line}: `;
  const field = p.field ? `${p.field}: ` : '';
  return `${where}${field}${p.message}`;
}

export const PROBLEM_CAP = 50;

/** One formatted line per problem, at most `cap` of them, then '… and N more'. */
export function formatProblems(problems: readonly Problem[], cap = PROBLEM_CAP): string[] {
  const lines = problems.slice(0, cap).map(formatProblem);
  if (problems.length > cap) lines.push(`… and ${problems.length - cap} more`);
  return lines;
}

/** Bad input (a file, a record, a command line): the CLI exits 2, the RPC server answers -32005. */
export class InputError extends Error {
  readonly problems: Problem[];
  /** What the failure means for the user (e.g. 'nothing imported'), shown after the problems. */
  readonly summary: string | undefined;

  constructor(problems: Problem[] | Problem | string, summary?: string) {
    const list = typeof problems === 'string' ? [{ message: problems }] : Array.isArray(problems) ? problems : [problems];
    super([...formatProblems(list, 10), ...(summary !== undefined ? [summary] : [])].join('\n'));
    this.name = 'InputError';
    this.problems = list;
    this.summary = summary;
  }
}

/** Bad command-line usage (unknown flag, missing argument): exit 2 with a pointer to --help. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The same complaint about the same place once (a schema and a semantic check may both object). */
export function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Problems with `where` (file, line) filled in where they did not already say. */
export function locate(problems: readonly Problem[], where: { file?: string; line?: number }): Problem[] {
  return problems.map((p) => ({ ...where, ...stripUndefined(p) }));
}

function stripUndefined(p: Problem): Problem {
  const out: Problem = { message: p.message };
  if (p.file !== undefined) out.file = p.file;
  if (p.line !== undefined) out.line = p.line;
  if (p.field !== undefined) out.field = p.field;
  return out;
}

/** A value shown back to the user in a message: JSON for data, readable for non-finite numbers, cut when long. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A value nested deeper than the stack (a hostile frame) defeats String() too, and a message
    // about bad input must never itself throw.
    try {
      text = String(value);
    } catch {
      text = 'a value nested too deeply to show';
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
