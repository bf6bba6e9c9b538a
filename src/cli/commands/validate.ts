// `metabalance validate --project DIR`: load everything, list every problem, report repairs, and
// on success summarize what is there.
import path from 'node:path';
import type { ProjectStore } from '../../store/project-store.js';
import { parseArgs, required } from '../args.js';
import type { Command } from '../command.js';
import { openProject } from '../open-project.js';

const usage = `usage: metabalance validate --project DIR [--json]

Checks project.json, levels.jsonl and playtests.jsonl against their schemas and against each other
(unknown names, values out of bounds, non-integral ints, unknown choices or levels, …) and lists
every problem as FILE:LINE: FIELD: MESSAGE on stderr (exit 2). A torn last line left by a crash is
repaired (cut away and saved under DIR/.metabalance/repaired/) and reported. On success prints a
summary on stdout (exit 0).

options:
  --project DIR  the project folder
  --json         print the summary as one JSON object`;

export interface ProjectSummary {
  project: string;
  params: number;
  features: number;
  metrics: number;
  targets: number;
  levels: number;
  playtests: number;
  playtestsPerLevel: { min: number; median: number; max: number };
  levelsWithoutPlaytests: number;
}

export function summarize(store: ProjectStore): ProjectSummary {
  const counts = store.levels().map((l) => store.playtestCountFor(l.id)).sort((a, b) => a - b);
  const p = store.project;
  return {
    project: p.name,
    params: p.params.length,
    features: p.features.length,
    metrics: p.metrics.length,
    targets: p.targets.length,
    levels: counts.length,
    playtests: store.playtestCount,
    playtestsPerLevel: { min: counts[0] ?? 0, median: counts[Math.floor(counts.length / 2)] ?? 0, max: counts[counts.length - 1] ?? 0 },
    levelsWithoutPlaytests: counts.filter((c) => c === 0).length,
  };
}

export const command: Command = {
  name: 'validate',
  usage,
  async run(argv, io) {
    const { flags } = parseArgs(argv, { project: { type: 'string' }, json: { type: 'boolean' } });
    const dir = path.resolve(io.cwd, required(flags.project, '--project DIR'));
    const store = await openProject(dir, io);
    try {
      const s = summarize(store);
      if (flags.json) io.out(JSON.stringify({ ok: true, ...s, repairs: store.repairs }));
      else {
        const per = s.playtestsPerLevel;
        io.out(
          `ok: project "${s.project}": ${s.params} params, ${s.features} features, ${s.metrics} metrics, ${s.targets} targets; ` +
            `${s.levels} levels, ${s.playtests} playtests (per level ${per.min}–${per.max}, median ${per.median}; ${s.levelsWithoutPlaytests} levels without playtests)`,
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
