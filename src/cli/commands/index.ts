// The command table. Modules load lazily so `metabalance validate` never pays for TensorFlow.js.
import type { Command } from '../command.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ command: Command }>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'init', summary: 'create a project folder from a template', load: () => import('./init.js') },
  { name: 'validate', summary: 'check every file of a project; list every problem', load: () => import('./validate.js') },
  { name: 'import', summary: 'append levels or playtests from JSONL or CSV', load: () => import('./import.js') },
  { name: 'train', summary: "meta-train on every level's playtests", load: () => import('./train.js') },
  { name: 'balance', summary: 'find the params that meet the targets on levels', load: () => import('./balance.js') },
  { name: 'suggest', summary: 'propose the next settings worth playtesting', load: () => import('./suggest.js') },
  { name: 'testers', summary: 'list testers with their segment, declared or inferred from their runs', load: () => import('./testers.js') },
  { name: 'loop', summary: 'suggest, play with a runner command, store, rebalance; round after round', load: () => import('./loop.js') },
  { name: 'serve', summary: 'run the JSON-RPC sidecar for the Unity bridge', load: () => import('./serve.js') },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((c) => c.name === name);
}
