// `metabalance testers --project DIR`: every tester with its segment — declared in project.json, or
// inferred from its runs by the model's typing network — and how sure that is.
import type { TesterTyping } from '../../model/typing.js';
import { typeTesters } from '../../model/typing.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { noPositionals, projectDir, requireModel } from '../ml-common.js';
import { openProject } from '../open-project.js';

const usage = `usage: metabalance testers --project DIR [--tester NAME ...] [--json]

Lists every tester with a stored playtest and the segment (project.json "segments") it belongs to:
declared when project.json maps it, otherwise inferred from its runs by the model's few-shot typing
network (a prototypical network trained with the model on the testers the project maps), with the
probability of every segment. An inferred tester counts towards the segments' predictions by these
probabilities, so a tester the model is unsure about is never forced into one segment.

options:
  --project DIR   the project folder (train a model first; train again after adding segments)
  --tester NAME   only this tester (repeatable)
  --json          one JSON object: {"segments": [...], "testers": [{"tester", "playtests",
                  "segment", "declared", "confidence", "probabilities": {segment: p}}]}
                  (the same as the RPC method testers.classify)

Exit status: 0 done, 2 bad usage or a project without segments, 1 otherwise (no model).`;

function percent(p: number): string {
  return `${(100 * p).toFixed(0)} %`;
}

/** One line a tester: who, how many runs, its segment, how it is known, then every segment's probability. */
function table(segments: readonly string[], testers: readonly TesterTyping[]): string[] {
  const width = Math.max(6, ...testers.map((t) => t.tester.length));
  const head = `${'tester'.padEnd(width)}  ${'runs'.padStart(5)}  ${'segment'.padEnd(12)} ${'how'.padEnd(16)} ${segments.map((s) => s.padStart(Math.max(6, s.length))).join(' ')}`;
  const rows = testers.map((t) => {
    const how = t.declared ? 'declared' : `inferred, ${percent(t.confidence)}`;
    const probs = segments.map((s) => (t.declared ? '' : percent(t.probabilities[s] ?? 0)).padStart(Math.max(6, s.length))).join(' ');
    return `${t.tester.padEnd(width)}  ${String(t.playtests).padStart(5)}  ${t.segment.padEnd(12)} ${how.padEnd(16)} ${probs}`.trimEnd();
  });
  return [head, ...rows];
}

export const command: Command = {
  name: 'testers',
  usage,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, { project: { type: 'string' }, tester: { type: 'string', multiple: true }, json: { type: 'boolean' } });
    noPositionals(positionals);
    const dir = projectDir(flags.project, io.cwd);
    const store = await openProject(dir, io);
    try {
      const model = await requireModel(dir, store);
      const only = flags.tester.length > 0 ? flags.tester : undefined;
      const testers = typeTesters(model, { project: store.project, levels: store.levels(), playtests: store.eachPlaytest() }, only);
      const segments = store.project.segments.map((g) => g.name);
      if (flags.json) io.out(JSON.stringify({ segments, testers }));
      else for (const line of table(segments, testers)) io.out(line);
      return 0;
    } finally {
      await store.close();
    }
  },
};
