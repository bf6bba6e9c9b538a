// Small helpers the benchmark scripts share: markdown tables, summary statistics, stderr progress.
import { pathToFileURL } from 'node:url';

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (0 for fewer than two values). */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** "m ± sd" with `digits` decimals after multiplying by `scale` (e.g. 100 for percentages). */
export function meanSd(xs: readonly number[], digits = 2, scale = 1): string {
  return `${(mean(xs) * scale).toFixed(digits)} ± ${(sd(xs) * scale).toFixed(digits)}`;
}

export function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs a benchmark module's `run` when the module is the process's entry point (`node dist/bench/X.js`),
 *  printing its markdown on stdout; imported by bench/run.ts it does nothing. */
export function runWhenMain(moduleUrl: string, run: (opts: { quick: boolean }) => Promise<string>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run({ quick: process.argv.includes('--quick') }).then(
    (md) => console.log(md),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
