// The runner protocol of `metabalance loop`: a command that plays one setting of one level. It gets
// {"levelId", "params", "round", "index"} as one JSON line on stdin and answers with one JSON line
// on stdout, {"metrics": {...}, "tester"?: "..."}; a non-zero exit (or no such line) is a failed run,
// reported and not stored. The command runs through the shell, so it may be any command line.
import { spawn } from 'node:child_process';

export interface RunRequest {
  levelId: string;
  params: Record<string, unknown>;
  round: number;
  index: number;
}

export type RunOutcome = { ok: true; metrics: Record<string, unknown>; tester?: string } | { ok: false; reason: string };

/** Longest a run may take before it counts as failed (a hung game must not hang the loop). */
export const RUN_TIMEOUT_MS = 10 * 60 * 1000;

export function runOnce(command: string, request: RunRequest, cwd: string, signal: AbortSignal, timeoutMs = RUN_TIMEOUT_MS): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, stdio: ['pipe', 'pipe', 'pipe'], signal, timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // a runner that exits without reading its input must not crash the loop with EPIPE
    child.stdin.on('error', () => {});
    child.stdin.end(`${JSON.stringify(request)}\n`);
    child.on('error', (e) => resolve({ ok: false, reason: e.name === 'AbortError' ? 'interrupted' : e.message }));
    child.on('close', (code, sig) => {
      const stderr = Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? '';
      if (code !== 0) {
        resolve({ ok: false, reason: `${sig ? `killed by ${sig}` : `exit status ${code}`}${stderr ? `: ${stderr}` : ''}` });
        return;
      }
      resolve(parseAnswer(Buffer.concat(out).toString('utf8')));
    });
  });
}

function parseAnswer(stdout: string): RunOutcome {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return { ok: false, reason: 'printed nothing on stdout (expected one JSON line {"metrics": {...}})' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: `stdout is not JSON: ${line.slice(0, 120)}` };
  }
  const v = value as { metrics?: unknown; tester?: unknown };
  if (typeof v !== 'object' || v === null || typeof v.metrics !== 'object' || v.metrics === null || Array.isArray(v.metrics)) {
    return { ok: false, reason: `stdout has no "metrics" object: ${line.slice(0, 120)}` };
  }
  if (v.tester !== undefined && typeof v.tester !== 'string') return { ok: false, reason: '"tester" must be a string' };
  return { ok: true, metrics: v.metrics as Record<string, unknown>, ...(typeof v.tester === 'string' ? { tester: v.tester } : {}) };
}
