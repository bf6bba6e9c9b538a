// Durability past a power cut, which kill -9 cannot test (the page cache survives a killed process):
// the real store's writes run under strace (and under an LD_PRELOAD shim in C, built here, that logs
// the same calls where strace is missing or may not trace), and every acknowledgement (a line on
// stdout, written only once a write resolved) must come after an fsync/fdatasync of every file
// written to, and after an fsync of the directory of every file or folder created or renamed into place.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../src/project/paths.js';
import { makeProjectDir } from '../project/fixtures.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'durable-writes.js');
const SHIM_SOURCE = path.join(packageRoot(), 'test', 'store', 'fixtures', 'syscall-log.c');
const SYSCALLS =
  'openat,open,creat,write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,mkdir,mkdirat,rename,renameat,renameat2,truncate,ftruncate,unlink,unlinkat,rmdir';

/** A way to log a child's file system calls in strace -f -y's format. */
interface Tracer {
  name: string;
  /** why it cannot run here, or null */
  missing(): string | null;
  /** runs `node args...` under it, logging to `log`; its stdout */
  run(args: string[], log: string): string;
}

const strace: Tracer = {
  name: 'strace',
  missing() {
    const probe = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fsync', '-o', '/dev/null', 'true']);
    if (probe.error) return `strace is not installed (${probe.error.message}): apt-get install strace`;
    if (probe.status !== 0) return `strace cannot trace here (ptrace refused?): ${probe.stderr.toString().trim()}`;
    return null;
  },
  run: (args, log) =>
    execFileSync('strace', ['-f', '-y', '-qq', '-s', '4096', '-e', `trace=${SYSCALLS}`, '-o', log, process.execPath, ...args], { encoding: 'utf8' }),
};

let shimLibrary: string | undefined;
const shim: Tracer = {
  name: 'an LD_PRELOAD shim',
  missing() {
    if (process.platform !== 'linux') return `the shim reads /proc/self/fd, which ${process.platform} has not`;
    const cc = spawnSync('cc', ['--version']);
    return cc.error ? `no C compiler (cc) to build the shim: apt-get install gcc` : null;
  },
  run(args, log) {
    if (!shimLibrary) {
      shimLibrary = path.join(path.dirname(log), 'syscall-log.so');
      execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shimLibrary, SHIM_SOURCE, '-ldl']);
    }
    return execFileSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, LD_PRELOAD: shimLibrary, SYSCALL_LOG: log },
    });
  },
};

/** One completed system call: strace -f -y lines, with <unfinished ...>/<... resumed> halves joined. */
interface Call {
  name: string;
  args: string;
  result: string;
}

function calls(log: string): Call[] {
  const open = new Map<string, string>();
  const out: Call[] = [];
  for (const raw of log.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const [, pid, rest] = m as unknown as [string, string, string];
    let line = rest;
    if (line.endsWith('<unfinished ...>')) {
      open.set(pid, line.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed) {
      line = `${open.get(pid) ?? ''}${resumed[1]}`;
      open.delete(pid);
    }
    const call = /^(\w+)\((.*)\)\s+=\s+(.*)$/.exec(line);
    if (call) out.push({ name: call[1]!, args: call[2]!, result: call[3]! });
  }
  return out;
}

/** The quoted strings among a call's arguments (paths), unescaped enough for plain paths. */
const strings = (args: string): string[] => [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
/** The path strace -y prints after an fd: 18</tmp/x/playtests.jsonl>. */
const fdPath = (text: string): string | undefined => /^-?\d+<(.*?)>(?:,|$)/.exec(text.trim())?.[1];

async function listTree(dir: string): Promise<string[]> {
  const out = [dir];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listTree(p)));
    else out.push(p);
  }
  return out;
}

/** Replays the calls on what exists under `root`; returns each acknowledgement's unsynced files and directories. */
function audit(all: Call[], root: string, existing: string[]): { acks: string[]; problems: string[]; fsyncs: string[] } {
  const under = (p: string | undefined): p is string => p !== undefined && (p === root || p.startsWith(`${root}/`));
  const exists = new Set(existing);
  const dirty = new Set<string>();
  const unsyncedDirs = new Map<string, string>();
  const acks: string[] = [];
  const problems: string[] = [];
  const fsyncs: string[] = [];
  const created = (p: string, how: string): void => {
    if (!exists.has(p)) unsyncedDirs.set(path.dirname(p), `${how} ${path.relative(root, p)}`);
    exists.add(p);
  };
  for (const c of all) {
    if (c.result.startsWith('-1')) continue; // failed calls change nothing
    const [first] = strings(c.args);
    if (c.name === 'write' && c.args.startsWith('1<')) {
      const text = first ?? '';
      if (!text.startsWith('ack ')) continue;
      const what = text.slice(4).replace(/\\n$/, '');
      acks.push(what);
      for (const f of dirty) problems.push(`ack "${what}": ${path.relative(root, f)} written but not fsync'd`);
      for (const [d, why] of unsyncedDirs) problems.push(`ack "${what}": ${why}, but its directory ${path.relative(root, d) || '.'} not fsync'd`);
      dirty.clear();
      unsyncedDirs.clear();
      continue;
    }
    if (c.name === 'openat' || c.name === 'open' || c.name === 'creat') {
      const p = fdPath(c.result);
      if (under(p) && (c.name === 'creat' || /O_CREAT/.test(c.args))) created(p, 'created');
    } else if (['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'ftruncate'].includes(c.name)) {
      const p = fdPath(c.args);
      if (under(p)) dirty.add(p);
    } else if (c.name === 'truncate') {
      if (under(first)) dirty.add(first);
    } else if (c.name === 'fsync' || c.name === 'fdatasync') {
      const p = fdPath(c.args);
      if (!under(p)) continue;
      fsyncs.push(path.relative(root, p) || '.');
      dirty.delete(p);
      unsyncedDirs.delete(p);
    } else if (c.name === 'mkdir' || c.name === 'mkdirat') {
      if (under(first)) created(first, 'made folder');
    } else if (c.name.startsWith('rename')) {
      const [from, to] = strings(c.args);
      if (!under(to)) continue;
      exists.delete(from!);
      exists.delete(to);
      created(to, 'renamed into place');
      // The renamed file's data must be synced before; it is no longer dirty under its old name.
      if (dirty.has(from!)) problems.push(`${path.relative(root, from!)} renamed to ${path.relative(root, to)} before it was fsync'd`);
      dirty.delete(from!);
    } else if (c.name === 'unlink' || c.name === 'unlinkat' || c.name === 'rmdir') {
      if (first !== undefined) exists.delete(first);
    }
  }
  return { acks, problems, fsyncs };
}

for (const tracer of [strace, shim]) {
  test(`every acknowledged write was fsync'd first, and every new file or folder by an fsync of its directory (${tracer.name})`, async (t) => {
    const missing = tracer.missing();
    if (missing) {
      t.skip(`cannot watch system calls with ${tracer.name}: ${missing}`);
      return;
    }
    const dir = await realpath(await makeProjectDir());
    // New files and folders on the way: no playtests.jsonl, no models/, no .metabalance/; and a torn
    // last line in levels.jsonl for the repair on open to cut away and save.
    await rm(path.join(dir, 'playtests.jsonl'));
    await rm(path.join(dir, 'models'), { recursive: true });
    await appendFile(path.join(dir, 'levels.jsonl'), '{"id":"L9","feat');
    const existing = await listTree(dir);
    const logDir = await mkdtemp(path.join(tmpdir(), 'mb-strace-'));
    const log = path.join(logDir, 'trace');
    const stdout = tracer.run([CHILD, dir], log);
    assert.match(stdout, /ack model/, 'the child ran to the end');
    const { acks, problems, fsyncs } = audit(calls(await readFile(log, 'utf8')), dir, existing);
    await rm(logDir, { recursive: true, force: true });
    assert.deepEqual(acks, ['open (1 repaired)', 'playtests 1 (creates playtests.jsonl)', 'playtests 2', 'levels', 'project.json', 'model (creates models/)']);
    assert.deepEqual(problems, []);
    // Not vacuous: the trace did see the store's fsyncs, of files and of the project folder.
    for (const f of ['playtests.jsonl', 'levels.jsonl', '.', 'models', '.metabalance', /^\.project\.json\..*\.tmp$/]) {
      assert.ok(
        fsyncs.some((s) => (typeof f === 'string' ? s === f : f.test(s))),
        `no fsync of ${String(f)} seen: ${[...new Set(fsyncs)].join(', ')}`,
      );
    }
  });
}
