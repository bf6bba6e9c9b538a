// levels.upsert / levels.list
import { notification } from '../messages.js';
import { method, type Method } from '../services.js';
import { toWire } from './append-result.js';

export const levelsMethods: Method[] = [
  method('levels.upsert', async (params, { services, caller }) => {
    const result = toWire(await services.exclusive(() => services.store.upsertLevels(params.levels)));
    if (result.accepted.length > 0) services.broadcast(notification('project.changed', { what: 'levels', ids: result.accepted }), caller);
    return result;
  }),
  method('levels.list', (_, { services }) => {
    const { store } = services;
    const counts = new Map<string, number>();
    for (const t of store.playtests()) counts.set(t.levelId, (counts.get(t.levelId) ?? 0) + 1);
    return {
      levels: store.levels().map((l) => ({ ...l, features: l.features ?? {}, playtestCount: counts.get(l.id) ?? 0 })),
    };
  }),
];
