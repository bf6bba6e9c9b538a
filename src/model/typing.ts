// Few-shot player typing (issue 14): which declared segment ("novice", "rusher" …) a tester the
// project does not map belongs to, from a few of its runs. A prototypical network (protonet.ts) on
// typing rows (typing-inputs.ts) is meta-trained on the testers the project does map, after the
// meta-model, whose level contexts and expectations it reads; it is saved with the model. Balancing
// counts an undeclared tester the model has its own input for towards each segment by these
// probabilities (balance/segments.ts).
import { InputError } from '../project/errors.js';
import { Rng } from '../util/rng.js';
import type { Project } from '../project/types.js';
import type { TesterSegment } from '../rpc/protocol-types.js';
import type { MetaModel } from './model.js';
import { embedRows, initProtoNet, prototypeProbabilities, trainProtoNet, type ProtoShape, type ProtoTraining } from './protonet.js';
import type { Corpus } from './train.js';
import { ownColumns } from './inputs.js';
import { typingRows, type TypingRows } from './typing-inputs.js';

/** The typing network saved with a model. */
export interface TypingNet {
  /** the classes, in the project's order: segments with enough known testers when it was trained */
  segments: string[];
  shape: ProtoShape;
  /** input standardisation (per column of a typing row) */
  center: number[];
  scale: number[];
  weights: Float32Array[];
  /** each segment's prototype, the mean embedding of its known testers' runs [segments, embed] */
  prototypes: Float32Array;
  /** undeclared testers with their own input in the meta-model: their segment probabilities when it was trained */
  inputTesters: Record<string, number[]>;
}

/** A tester with its segment: the wire type of testers.classify's result, generated from its schema. */
export type TesterTyping = TesterSegment;

/** A segment is a class only with this many testers the project maps to it, and this many of their runs. */
export const MIN_KNOWN_TESTERS = 2;
export const MIN_SEGMENT_PLAYTESTS = 10;

/** Why a model cannot type testers (the RPC answers it as "no model"). */
export const NO_TYPING_NETWORK = `the model has no typing network: it was trained before typing existed, or when the project had fewer than 2 segments with ${MIN_KNOWN_TESTERS} known testers and ${MIN_SEGMENT_PLAYTESTS} of their playtests each; train again`;

export const TYPING_SHAPE = { hidden: 64, embed: 16 } as const;
export const TYPING_TRAINING: ProtoTraining = { steps: 250, episodes: 8, support: 10, maxRuns: 5, lr: 3e-3, weightDecay: 1e-4 };

/** Every tester the project maps to a segment, with that segment. */
export function declaredTesters(project: Project): Map<string, string> {
  return new Map(project.segments.flatMap((g) => g.testers.map((t): [string, string] => [t, g.name])));
}

function groupRows(testers: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  testers.forEach((t, i) => {
    const list = out.get(t);
    if (list) list.push(i);
    else out.set(t, [i]);
  });
  return out;
}

/** Rows `index` of `rows` as rows of their own. */
function subset(rows: TypingRows, index: readonly number[]): TypingRows {
  const W = rows.width;
  const x = new Float32Array(index.length * W);
  index.forEach((r, i) => x.set(rows.x.subarray(r * W, (r + 1) * W), i * W));
  return { width: W, x, tester: index.map((r) => rows.tester[r]!), playtest: index.map((r) => rows.playtest[r]!) };
}

function standardisation(rows: TypingRows): { center: number[]; scale: number[] } {
  const W = rows.width;
  const n = rows.tester.length;
  const center = new Array<number>(W).fill(0);
  const sq = new Array<number>(W).fill(0);
  for (let i = 0; i < n; i++) for (let c = 0; c < W; c++) center[c]! += rows.x[i * W + c]! / n;
  for (let i = 0; i < n; i++) for (let c = 0; c < W; c++) sq[c]! += (rows.x[i * W + c]! - center[c]!) ** 2 / n;
  return { center, scale: sq.map((v) => (Math.sqrt(v) > 1e-6 ? Math.sqrt(v) : 1)) };
}

/** Rows `index` of `rows`, standardised as the net was trained. */
function standardised(net: Pick<TypingNet, 'center' | 'scale'>, rows: TypingRows, index: readonly number[]): Float32Array {
  const W = rows.width;
  const out = new Float32Array(index.length * W);
  index.forEach((r, i) => {
    for (let c = 0; c < W; c++) out[i * W + c] = (rows.x[r * W + c]! - net.center[c]!) / net.scale[c]!;
  });
  return out;
}

/** The mean embedding of rows `index` (a tester's runs, or a segment's). */
function meanEmbedding(net: Omit<TypingNet, 'prototypes' | 'inputTesters'>, rows: TypingRows, index: readonly number[]): Float32Array {
  const K = net.shape.embed;
  const e = embedRows(net.shape, net.weights, standardised(net, rows, index), index.length);
  const mean = new Float32Array(K);
  for (let i = 0; i < index.length; i++) for (let k = 0; k < K; k++) mean[k]! += e[i * K + k]! / index.length;
  return mean;
}

/** The segment probabilities (in net.segments order) of one tester from its runs, rows `index` of `rows`. */
export function probabilitiesOfRuns(net: TypingNet, rows: TypingRows, index: readonly number[]): number[] {
  return prototypeProbabilities(meanEmbedding(net, rows, index), net.prototypes, net.shape.embed);
}

/** Each tester's segment probabilities (in net.segments order) from its rows. */
function probabilitiesOf(net: TypingNet, rows: TypingRows): Map<string, number[]> {
  return new Map([...groupRows(rows.tester)].map(([t, index]) => [t, probabilitiesOfRuns(net, rows, index)]));
}

/**
 * The typing network for a trained meta-model, or null when the project does not declare at least
 * two segments with MIN_KNOWN_TESTERS testers and MIN_SEGMENT_PLAYTESTS runs each (with a single
 * known tester a segment's prototype would be that tester, and typing would learn to recognise it
 * rather than its kind). Seeded.
 */
export async function trainTyping(
  model: MetaModel,
  corpus: Corpus,
  seed: number,
  training: ProtoTraining = TYPING_TRAINING,
  signal?: AbortSignal,
): Promise<TypingNet | null> {
  if (corpus.project.segments.length < 2) return null;
  const declared = declaredTesters(corpus.project);
  const undeclaredInputs = new Set(ownColumns(model.inputs.testers).filter((t) => !declared.has(t)));
  const rows = typingRows(model, corpus.levels, corpus.playtests, (t) => declared.has(t) || undeclaredInputs.has(t));
  return fitTyping(corpus.project, rows, seed, training, undeclaredInputs, signal);
}

/**
 * The typing network fitted on typing rows of the project's declared testers (any row layout: the
 * bench fits it on a part of the columns too), with the probabilities of the testers in `typeAlso`
 * (their rows are in `rows` as well); null as for trainTyping.
 */
export async function fitTyping(
  project: Project,
  rows: TypingRows,
  seed: number,
  training: ProtoTraining = TYPING_TRAINING,
  typeAlso: ReadonlySet<string> = new Set(),
  signal?: AbortSignal,
): Promise<TypingNet | null> {
  const byTester = groupRows(rows.tester);
  const classes = project.segments
    .map((g) => ({ name: g.name, testers: g.testers.flatMap((t) => (byTester.has(t) ? [byTester.get(t)!] : [])) }))
    .filter((g) => g.testers.length >= MIN_KNOWN_TESTERS && g.testers.reduce((s, r) => s + r.length, 0) >= MIN_SEGMENT_PLAYTESTS);
  if (classes.length < 2) return null;
  const known = classes.flatMap((g) => g.testers.flat());
  const { center, scale } = standardisation(subset(rows, known));
  const shape: ProtoShape = { width: rows.width, ...TYPING_SHAPE };
  const rng = new Rng(seed).fork('typing');
  // the episodes index the known rows, standardised, in `known` order
  const position = new Map(known.map((r, i) => [r, i]));
  const src = { x: standardised({ center, scale }, rows, known), classes: classes.map((g) => g.testers.map((rs) => rs.map((r) => position.get(r)!))) };
  const weights = await trainProtoNet(shape, initProtoNet(shape, rng.fork('init')), src, training, rng.fork('episodes'), signal);
  const base = { segments: classes.map((g) => g.name), shape, center, scale, weights };
  const prototypes = new Float32Array(classes.length * shape.embed);
  classes.forEach((g, c) => prototypes.set(meanEmbedding(base, rows, g.testers.flat()), c * shape.embed));
  const net: TypingNet = { ...base, prototypes, inputTesters: {} };
  const inputRows = rows.tester.flatMap((t, i) => (typeAlso.has(t) ? [i] : []));
  const typed = probabilitiesOf(net, subset(rows, inputRows));
  return { ...net, inputTesters: Object.fromEntries(typed) };
}

/**
 * Every tester with a playtest (or only `only`), declared ones with confidence 1. Throws a clear
 * Error when the project has no segments or the model has no typing network ("train again").
 * An undeclared tester gets the probabilities of the project's segments the network knows (the
 * others 0; a segment removed since training drops out and the rest are renormalised), its most
 * probable segment and that probability as confidence; one with no playtest, equal probabilities.
 */
export function typeTesters(model: MetaModel, corpus: Corpus, only?: readonly string[]): TesterTyping[] {
  const project = corpus.project;
  if (project.segments.length === 0) {
    throw new InputError({ file: 'project.json', field: 'segments', message: 'the project declares no segments: typing testers needs "segments", each naming some known testers' });
  }
  const net = model.typing;
  if (net === null) throw new Error(NO_TYPING_NETWORK);
  const declared = declaredTesters(project);
  const counts = new Map<string, number>();
  for (const pt of corpus.playtests) if (pt.tester !== undefined) counts.set(pt.tester, (counts.get(pt.tester) ?? 0) + 1);
  const who = only === undefined ? [...counts.keys()].sort() : [...new Set(only)];
  const names = project.segments.map((g) => g.name);
  // a segment removed since training is no longer an answer: the rest share its probability
  const live = net.segments.flatMap((n, i) => (names.includes(n) ? [i] : []));
  if (live.length === 0) throw new Error(`the typing network knows segments the project no longer declares (${net.segments.join(', ')}): train again`);
  const undeclared = new Set(who.filter((t) => !declared.has(t)));
  const typed = undeclared.size === 0 ? new Map<string, number[]>() : probabilitiesOf(net, typingRows(model, corpus.levels, corpus.playtests, (t) => undeclared.has(t)));
  return who.map((tester): TesterTyping => {
    const playtests = counts.get(tester) ?? 0;
    const own = declared.get(tester);
    if (own !== undefined) {
      return { tester, playtests, segment: own, declared: true, confidence: 1, probabilities: Object.fromEntries(names.map((n) => [n, n === own ? 1 : 0])) };
    }
    const p = typed.get(tester);
    const kept = live.map((i) => (p ? p[i]! : 1));
    const sum = kept.reduce((a, b) => a + b, 0);
    const prob = new Map(live.map((i, k) => [net.segments[i]!, kept[k]! / sum]));
    const best = net.segments[live[kept.indexOf(Math.max(...kept))]!]!;
    return { tester, playtests, segment: best, declared: false, confidence: prob.get(best)!, probabilities: Object.fromEntries(names.map((n) => [n, prob.get(n) ?? 0])) };
  });
}
