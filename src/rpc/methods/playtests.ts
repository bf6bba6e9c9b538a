// playtests.append / playtests.list
import { notification } from '../messages.js';
import { method, type Method } from '../services.js';
import { toWire } from './append-result.js';

// A page's most: a reply stays a few hundred KB, and a batch of pages meets the reply budget early.
const PAGE_MAX = 1000;

export const playtestMethods: Method[] = [
  // The store resolves only after fsync, so the answer is the durability acknowledgement.
  method('playtests.append', async (params, { services, caller }) => {
    const result = toWire(await services.exclusive(() => services.store.appendPlaytests(params.playtests)));
    if (result.accepted.length > 0) services.broadcast(notification('project.changed', { what: 'playtests', ids: result.accepted }), caller);
    return result;
  }),
  method('playtests.list', (params, { services }) => {
    const all = params.levelId === undefined ? services.store.playtests() : services.store.playtestsFor(params.levelId);
    const offset = params.offset ?? 0;
    return { playtests: all.slice(offset, offset + Math.min(params.limit ?? PAGE_MAX, PAGE_MAX)), total: all.length };
  }),
];
