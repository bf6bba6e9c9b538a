// JSON helpers for the line-oriented files: one record a line, and a key-order-independent form
// for telling "the same record sent again" from "a different record under the same id".

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** One JSONL line (with its newline). Refuses non-finite numbers, which JSON.stringify would turn into null. */
export function jsonLine(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`cannot write the non-finite number ${v} as JSON`);
    return v;
  });
  if (text === undefined) throw new TypeError('cannot write undefined as a JSON line');
  return `${text}\n`;
}

/** The byte offset at which `text` stops being valid JSON, or undefined when it parses. */
function jsonErrorOffset(error: unknown, text: string): number {
  const m = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (m) return Number(m[1]);
  // V8 gives no position for "Unexpected token": find the longest prefix that is still valid JSON
  // or merely cut short (being a prefix of valid JSON is preserved by shortening, so bisect).
  const viable = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (e) {
      const msg = e instanceof Error ? e.message : '';
      const at = /position (\d+)/.exec(msg);
      return /end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= k);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a JSON.parse error of `text` happened, as 1-based line and column. */
export function jsonErrorLocation(error: unknown, text: string): { line: number; column: number } {
  const before = text.slice(0, jsonErrorOffset(error, text));
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

/** A JSON.parse error message without V8's echo of the input or its position. */
export function jsonErrorMessage(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return msg.replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, '').replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '');
}
