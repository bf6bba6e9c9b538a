// `metabalance init DIR`: a project folder to start from, with a project.json that shows every
// kind of param, feature, metric and target by example (JSON has no comments; descriptions do).
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../project/errors.js';
import { parseProject } from '../../project/validate.js';
import { writeFileAtomic } from '../../store/durable.js';
import { LEVELS_FILE, PLAYTESTS_FILE } from '../../store/corpus-index.js';
import { MODELS_DIR } from '../../store/model-folders.js';
import { PROJECT_FILE } from '../../store/project-store.js';
import { expectPositionals, parseArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: metabalance init DIR [--name NAME]

Creates a balancing project folder DIR (made if missing) holding:
  project.json     the params, level features, playtest metrics and design targets — a template
                   showing each kind by example; edit it to describe your game
  levels.jsonl     one level a line (empty)
  playtests.jsonl  one playtest a line (empty)
  models/          trained meta-models
  .gitignore       keeps .metabalance/ (lock, session token, repair backups) out of version control

Refuses (exit 2) a folder that already holds a project.

options:
  --name NAME  the project name (default: the folder's name)`;

/** The template project.json: one example of each param type, a feature, each metric kind, two targets. */
export function templateProject(name: string): Record<string, unknown> {
  return {
    name,
    description: 'Describe your game here. Every field below is an example: rename, add or remove entries.',
    params: [
      { name: 'enemyHealth', type: 'float', min: 20, max: 200, default: 80, scale: 'log', group: 'balance', description: 'a float balance param on a log scale (needs min > 0)' },
      { name: 'potionRate', type: 'float', min: 0, max: 1, default: 0.3, group: 'balance', description: 'a float on a linear scale (scale defaults to linear, group to balance)' },
      { name: 'roomCount', type: 'int', min: 3, max: 12, default: 6, group: 'generation', description: 'an int level-generation param' },
      { name: 'bossEnabled', type: 'bool', default: true, group: 'generation', description: 'a bool (default false when omitted)' },
      { name: 'archetype', type: 'choice', choices: ['melee', 'ranged', 'mixed'], default: 'mixed', group: 'generation', description: 'a choice (default: the first choice when omitted)' },
      { name: 'lives', type: 'int', min: 1, max: 5, default: 3, locked: true, description: 'locked: balancing keeps it at its default' },
    ],
    features: [
      { name: 'area', description: 'an observable level feature (a number per level)' },
      { name: 'chokepoints', min: 0, max: 10, description: 'a feature with declared bounds (values outside are errors)' },
    ],
    metrics: [
      { name: 'won', kind: 'rate', description: 'a rate: 0/1 (or a fraction) per playtest; targets are about its mean' },
      { name: 'durationSec', kind: 'continuous', description: 'a continuous measurement' },
      { name: 'deaths', kind: 'count', description: 'a count (never negative)' },
    ],
    targets: [
      { metric: 'won', target: 0.6, tolerance: 0.05, weight: 1 },
      { metric: 'durationSec', target: 420, tolerance: 60, weight: 0.5 },
    ],
  };
}

async function nonEmptyFile(file: string): Promise<boolean> {
  return stat(file).then((s) => !s.isFile() || s.size > 0, () => false);
}

export const command: Command = {
  name: 'init',
  usage,
  async run(argv, io) {
    const { flags, positionals } = parseArgs(argv, { name: { type: 'string' } });
    expectPositionals(positionals, 1, 1, 'the folder to create (metabalance init DIR)');
    const dir = path.resolve(io.cwd, positionals[0] as string);
    const existing = [PROJECT_FILE, LEVELS_FILE, PLAYTESTS_FILE];
    for (const name of existing) {
      if (await nonEmptyFile(path.join(dir, name))) {
        throw new InputError({ file: path.join(dir, name), message: 'already exists: init does not overwrite a project' }, 'nothing created');
      }
    }
    const project = templateProject(flags.name ?? path.basename(dir));
    parseProject(project, PROJECT_FILE); // the template must itself be valid (a bad --name is reported here)
    await mkdir(path.join(dir, MODELS_DIR), { recursive: true });
    await writeFileAtomic(path.join(dir, PROJECT_FILE), `${JSON.stringify(project, null, 2)}\n`);
    for (const name of [LEVELS_FILE, PLAYTESTS_FILE]) await writeFileAtomic(path.join(dir, name), '');
    if (!(await readdir(dir)).includes('.gitignore')) await writeFile(path.join(dir, '.gitignore'), '.metabalance/\n');
    io.out(`created project "${String(project['name'])}" in ${dir}`);
    io.err(`next: edit ${path.join(dir, PROJECT_FILE)}, then: metabalance import --project ${positionals[0]} FILE`);
    return 0;
  },
};
