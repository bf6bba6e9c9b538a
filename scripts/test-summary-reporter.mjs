// A node:test reporter for scripts/test.mjs: writes one JSON object with the counts of tests (not
// suites) that passed, failed and were skipped, and each failure's file, name and first error lines.
const firstLines = (text, n) => String(text).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(0, n);

function why(error) {
  // In a child process's test, the assertion is the cause of a wrapper ("test failed").
  const e = error?.cause instanceof Error || typeof error?.cause?.message === 'string' ? error.cause : error;
  return firstLines(e?.message ?? e ?? 'failed', 3);
}

export default async function* summary(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  /** What each file wrote to stderr: the only trace of a file that fails before any test runs. */
  const stderr = new Map();
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:stderr' && data.file) stderr.set(data.file, (stderr.get(data.file) ?? '') + data.message);
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    // A suite's own result repeats its tests'; a file that fails outside any test still counts.
    if (data.details?.type === 'suite' && !(type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed')) continue;
    if (type === 'test:pass') counts[data.skip !== undefined || data.todo !== undefined ? 'skipped' : 'passed']++;
    else if (data.details?.error?.failureType === 'subtestsFailed') continue;
    else {
      counts.failed++;
      const crashed = data.name === data.file && stderr.has(data.file);
      const lines = crashed ? firstLines(stderr.get(data.file), 50).filter((l) => /Error|error/.test(l)).slice(0, 3) : why(data.details?.error);
      failures.push({ file: data.file, line: data.line, name: data.name, why: lines });
    }
  }
  yield `${JSON.stringify({ ...counts, failures })}\n`;
}
