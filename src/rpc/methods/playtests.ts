// playtests.append / playtests.list
import { implausibleMessage, outsideRanges, plausibleRanges, type Implausible, type MetricRange } from '../../model/encoding.js';
import { InputError } from '../../project/errors.js';
import type { Project } from '../../project/types.js';
import type { ProjectStore } from '../../store/project-store.js';
import type { AppendWarning } from '../protocol-types.js';
import { notification } from '../messages.js';
import { method, type Method } from '../services.js';
import { toWire } from './append-result.js';

// A page's most: a reply stays a few hundred KB, and a batch of pages meets the reply budget early.
const PAGE_MAX = 1000;

/**
 * The stored playtests' plausible ranges, recomputed only when the corpus grew (or the project
 * changed): with a million stored playtests, sorting them for every append would stall the server.
 */
const rangeCache = new WeakMap<ProjectStore, { project: Project; count: number; ranges: MetricRange[] }>();
function rangesOf(store: ProjectStore): MetricRange[] {
  const { project, playtestCount: count } = store;
  const hit = rangeCache.get(store);
  if (hit?.project === project && hit.count === count) return hit.ranges;
  const ranges = plausibleRanges(project, store.eachPlaytest());
  rangeCache.set(store, { project, count, ranges });
  return ranges;
}

const fieldOf = (o: Implausible): string => `metrics.${o.metric}`;

export const playtestMethods: Method[] = [
  // The store resolves only after fsync, so the answer is the durability acknowledgement.
  method('playtests.append', async (params, { services, caller }) => {
    const { result, warnings } = await services.exclusive(async () => {
      const store = services.store;
      const implausible = outsideRanges(rangesOf(store), params.playtests);
      if (params.strict && implausible.length > 0) {
        throw new InputError(
          implausible.map((o) => ({ field: `playtests[${o.index}].${fieldOf(o)}`, message: `${implausibleMessage(o)} (refused: strict)` })),
          'nothing stored',
        );
      }
      const stored = await store.appendPlaytests(params.playtests);
      // Only what was stored now is worth a warning: rejected records carry their errors, duplicates were judged before.
      const idAt = new Map(stored.acceptedIndexes.map((index, k) => [index, stored.accepted[k]!]));
      const warnings: AppendWarning[] = implausible.flatMap((o) => {
        const id = idAt.get(o.index);
        return id === undefined ? [] : [{ index: o.index, id, field: fieldOf(o), message: implausibleMessage(o) }];
      });
      return { result: toWire(stored), warnings };
    });
    if (result.accepted.length > 0) services.broadcast(notification('project.changed', { what: 'playtests', ids: result.accepted }), caller);
    return warnings.length > 0 ? { ...result, warnings } : result;
  }),
  method('playtests.list', (params, { services }) => {
    return services.store.playtestsPage(params.levelId, params.offset ?? 0, Math.min(params.limit ?? PAGE_MAX, PAGE_MAX));
  }),
];
