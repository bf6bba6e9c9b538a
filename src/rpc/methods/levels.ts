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
    return {
      levels: store.levels().map((l) => ({ ...l, features: l.features ?? {}, playtestCount: store.playtestCountFor(l.id) })),
    };
  }),
];
