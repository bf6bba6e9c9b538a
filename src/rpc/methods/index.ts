// The one method table: every method the sidecar answers, each with schemas/rpc/<name>.schema.json.
import type { NotificationName } from '../protocol-types.js';
import type { Method } from '../services.js';
import { levelsMethods } from './levels.js';
import { levelMethods } from './level.js';
import { modelMethods } from './model.js';
import { playtestMethods } from './playtests.js';
import { projectMethods } from './project.js';
import { sessionMethods } from './session.js';
import { testersMethods } from './testers.js';

export const NOTIFICATIONS = ['job.progress', 'job.finished', 'project.changed'] as const satisfies readonly NotificationName[];

export function allMethods(): Method[] {
  const rest = [...projectMethods, ...levelsMethods, ...playtestMethods, ...modelMethods, ...levelMethods, ...testersMethods];
  const names = ['initialize', ...rest.map((m) => m.name)];
  return [...sessionMethods({ methods: names, notifications: [...NOTIFICATIONS] }), ...rest];
}
