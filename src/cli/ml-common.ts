// What train, balance and suggest share: the project and level checks that must fail (exit 2)
// before any work, loading the latest model, balancing a stored level, a progress bar.
import path from 'node:path';
import { parseArgs, type FlagSpecs, type Flags } from './args.js';
import type { CliIo } from './command.js';
import { openProject } from './open-project.js';
import { balanceLevel, levelBase, suggestPlaytests, type BalanceResult, type Suggestion } from '../balance/index.js';
import { initBackend } from '../model/backend.js';
import { adaptLevel, type MetaModel } from '../model/index.js';
import { loadLatestModel } from '../store/model-store.js';
import { InputError, UsageError, type Problem } from '../project/errors.js';
import type { Level } from '../project/types.js';
import type { ProjectStore } from '../store/project-store.js';
import { didYouMean } from '../util/did-you-mean.js';

/** The --project folder resolved against the CLI's cwd. */
export function projectDir(dir: string | undefined, cwd: string): string {
  if (dir === undefined) throw new UsageError('--project DIR is required');
  return path.resolve(cwd, dir);
}

/** An optional number flag that must be at least `min`. */
export function atLeast(name: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && value < min) throw new UsageError(`--${name} must be at least ${min} (got ${value})`);
  return value;
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/** The named levels, or an InputError naming every unknown id (and every unknown --lock param). */
export function requireLevels(store: ProjectStore, ids: readonly string[], locked: readonly string[] = []): Level[] {
  if (ids.length === 0) throw new UsageError('--level ID is required');
  const problems: Problem[] = [];
  const levels: Level[] = [];
  for (const id of ids) {
    const level = store.level(id);
    if (level) levels.push(level);
    else {
      const hint = didYouMean(id, store.levels().map((l) => l.id));
      problems.push({ field: '--level', message: `unknown level "${id}"${hint || ` (not in ${store.dir}/levels.jsonl)`}` });
    }
  }
  const params = store.project.params.map((p) => p.name);
  for (const name of locked) {
    if (!params.includes(name)) problems.push({ field: '--lock', message: `unknown param "${name}"${didYouMean(name, params) || ` (params: ${params.join(', ')})`}` });
  }
  if (problems.length > 0) throw new InputError(problems);
  return levels;
}

export async function requireModel(dir: string, store: ProjectStore): Promise<MetaModel> {
  await initBackend();
  const model = await loadLatestModel(dir, store.project);
  if (!model) throw new Error(`no trained model in ${dir}/models: run \`metabalance train --project ${dir}\` first`);
  return model;
}

export interface LevelRunOptions {
  allowGeneration: boolean;
  locked: string[];
  seed: number;
  /** --stay-near: the balancer's proximity weight (default DEFAULT_PROXIMITY) */
  proximity?: number;
}

const LEVEL_FLAGS = {
  project: { type: 'string' },
  level: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'allow-generation': { type: 'boolean' },
  lock: { type: 'string', multiple: true },
  seed: { type: 'int' },
  'stay-near': { type: 'number' },
} as const satisfies FlagSpecs;

export interface LevelJob<S extends FlagSpecs> {
  model: MetaModel;
  store: ProjectStore;
  level: Level;
  index: number;
  total: number;
  flags: Flags<typeof LEVEL_FLAGS & S>;
  opts: LevelRunOptions;
}

/**
 * The shape of balance and suggest: parse the shared flags (+ `extra`), check them and every level
 * id (exit 2 before any work), load the latest model, then run `each` per level in order.
 */
export async function runOnLevels<S extends FlagSpecs>(
  argv: string[],
  io: CliIo,
  extra: S,
  check: (flags: Flags<typeof LEVEL_FLAGS & S>) => void,
  each: (job: LevelJob<S>) => void | Promise<void>,
): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { ...LEVEL_FLAGS, ...extra });
  noPositionals(positionals);
  // TypeScript cannot see through the generic intersection; the shared flags are LEVEL_FLAGS'.
  const shared = flags as unknown as Flags<typeof LEVEL_FLAGS>;
  const dir = projectDir(shared.project, io.cwd);
  const opts: LevelRunOptions = {
    allowGeneration: shared['allow-generation'] === true,
    locked: shared.lock,
    seed: atLeast('seed', shared.seed, 0) ?? 0,
    proximity: atLeast('stay-near', shared['stay-near'], 0),
  };
  check(flags);
  const store = await openProject(dir, io);
  try {
    const levels = requireLevels(store, shared.level, opts.locked);
    const model = await requireModel(dir, store);
    try {
      for (const [index, level] of levels.entries()) await each({ model, store, level, index, total: levels.length, flags, opts });
    } finally {
      model.dispose();
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** Adapts the model to a level's stored playtests and balances it (generation params at the level's values). */
export function balanceStored(model: MetaModel, store: ProjectStore, level: Level, opts: LevelRunOptions): BalanceResult {
  const playtests = store.playtestsFor(level.id);
  const predictor = adaptLevel(model, level, playtests);
  try {
    return balanceLevel(model.project, model.space, predictor, { ...opts, base: levelBase(model.project, playtests) });
  } finally {
    predictor.dispose();
  }
}

export function suggestStored(model: MetaModel, store: ProjectStore, level: Level, count: number, opts: LevelRunOptions): Suggestion[] {
  const playtests = store.playtestsFor(level.id);
  const predictor = adaptLevel(model, level, playtests);
  try {
    return suggestPlaytests(model.project, model.space, predictor, { ...opts, count, base: levelBase(model.project, playtests) });
  } finally {
    predictor.dispose();
  }
}

/** A one-line progress bar redrawn in place on a terminal; plain lines at most every few seconds otherwise. */
export class Progress {
  private lastPlain = 0;
  private lastFrac = 0;
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly tty: boolean,
  ) {}

  update(done: number, total: number, detail: string): void {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    this.lastFrac = frac;
    if (this.tty) this.draw(detail);
    else if (Date.now() - this.lastPlain > 5000 || done === total) {
      this.lastPlain = Date.now();
      this.out.write(`${(frac * 100).toFixed(0)}% ${detail}\n`);
    }
  }

  /** Ends the bar; `outcome` (e.g. why it ended short of 100 %) replaces its detail, or is a last plain line. */
  done(outcome?: string): void {
    if (!this.tty) {
      if (outcome !== undefined) this.out.write(`${(this.lastFrac * 100).toFixed(0)}% ${outcome}\n`);
      return;
    }
    if (outcome !== undefined) this.draw(outcome);
    this.out.write('\n');
  }

  private draw(detail: string): void {
    const width = 30;
    const filled = Math.round(this.lastFrac * width);
    this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(this.lastFrac * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`);
  }
}

/** Param values for people: short floats, everything else as is. */
export function showParam(v: unknown): string {
  return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : String(v);
}
