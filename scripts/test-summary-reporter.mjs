// A node:test reporter for scripts/test.mjs: one JSON line per test (not per suite) as it ends —
// {"result":"pass"|"fail"|"skip"} and, for a failure, its file, line, name and first error lines.
// Line by line, so what ran is on disk even when --test-force-exit ends the run at once.
const firstLines = (text, n) => String(text).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(0, n);

function why(error) {
  // In a child process's test, the assertion is the cause of a wrapper ("test failed").
  const e = error?.cause instanceof Error || typeof error?.cause?.message === 'string' ? error.cause : error;
  return firstLines(e?.message ?? e ?? 'failed', 3);
}

export default async function* summary(source) {
  /** What each file wrote to stderr: the only trace of a file that fails before any test runs. */
  const stderr = new Map();
  for await (const { type, data } of source) {
    if (type === 'test:stderr' && data.file) stderr.set(data.file, (stderr.get(data.file) ?? '') + data.message);
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    // A suite's (or a parent test's) result repeats its tests'; a file that fails outside any test still counts.
    if (data.details?.error?.failureType === 'subtestsFailed') continue;
    if (data.details?.type === 'suite' && type === 'test:pass') continue;
    if (type === 'test:pass') {
      yield `${JSON.stringify({ result: data.skip !== undefined || data.todo !== undefined ? 'skip' : 'pass' })}\n`;
      continue;
    }
    const crashed = data.name === data.file && stderr.has(data.file);
    const lines = crashed ? firstLines(stderr.get(data.file), 50).filter((l) => /Error|error/.test(l)).slice(0, 3) : why(data.details?.error);
    yield `${JSON.stringify({ result: 'fail', file: data.file, line: data.line, name: data.name, why: lines })}\n`;
  }
}
