// Command-line flags, declared per command: `--name value`, `--name=value`, repeatable flags
// (--level A --level B), booleans, strict numbers, `--` to end flags. Mistakes are UsageErrors.
import { UsageError } from '../project/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { parseStrictNumber } from '../util/strict-number.js';

export type FlagType = 'string' | 'int' | 'number' | 'boolean';
export interface FlagSpec {
  type: FlagType;
  /** May be given several times; the value is then an array (empty when absent). */
  multiple?: boolean;
  /** A one-letter alias, without the dash. */
  short?: string;
}
export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<T extends FlagType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;
export type Flags<S extends FlagSpecs> = {
  [K in keyof S]: S[K]['multiple'] extends true ? ValueOf<S[K]['type']>[] : ValueOf<S[K]['type']> | undefined;
};

export interface ParsedArgs<S extends FlagSpecs> {
  flags: Flags<S>;
  positionals: string[];
}

function convert(name: string, spec: FlagSpec, text: string): string | number {
  if (spec.type === 'string') return text;
  const n = parseStrictNumber(text);
  if (n === undefined || !Number.isFinite(n)) throw new UsageError(`--${name}: must be a number (got "${text}")`);
  if (spec.type === 'int' && !Number.isInteger(n)) throw new UsageError(`--${name}: must be a whole number (got "${text}")`);
  return n;
}

/** Parses argv against `specs`; --help/-h are always accepted (and ignored: the CLI handles them first). */
export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S): ParsedArgs<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.multiple ? [] : undefined;
  const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') continue;
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const raw = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, eq === -1 ? undefined : eq);
    const name = arg.startsWith('--') ? raw : byShort.get(raw);
    const spec = name !== undefined ? specs[name] : undefined;
    if (name === undefined || spec === undefined) {
      const hint = arg.startsWith('--') ? didYouMean(raw, Object.keys(specs), (s) => `--${s}`) : '';
      throw new UsageError(`unknown option ${arg.slice(0, eq === -1 ? undefined : eq)}${hint}`);
    }
    let value: string | number | boolean;
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      value = true;
    } else {
      let text: string | undefined;
      if (eq !== -1) text = arg.slice(eq + 1);
      else {
        text = argv[i + 1];
        if (text === undefined || (text.startsWith('--') && text.length > 2)) throw new UsageError(`--${name} needs a value`);
        i++;
      }
      value = convert(name, spec, text);
    }
    if (spec.multiple) (values[name] as unknown[]).push(value);
    else if (values[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    else values[name] = value;
  }
  return { flags: values as Flags<S>, positionals };
}

/** The value of a required flag, or a UsageError saying it is missing. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  return value;
}

/** Checks the number of positional arguments. */
export function expectPositionals(positionals: readonly string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${what}`);
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`);
}
