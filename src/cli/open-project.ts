// Opening a project folder for a command: loading's repairs and warnings (e.g. playtests left out
// because a range was narrowed) are told on stderr, where the user sees them, not only in the store.
import { ProjectStore } from '../store/project-store.js';
import type { CliIo } from './command.js';

export async function openProject(dir: string, io: CliIo): Promise<ProjectStore> {
  const store = await ProjectStore.open(dir);
  for (const r of store.repairs) io.err(`repaired: ${r}`);
  for (const w of store.warnings) io.err(`warning: ${w}`);
  return store;
}
