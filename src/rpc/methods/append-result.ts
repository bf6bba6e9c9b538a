// The store's AppendResult as the wire shape: problems become readable one-line strings.
import { formatProblems } from '../../project/errors.js';
import type { AppendResult } from '../../store/project-store.js';
import type { AppendResult as WireAppendResult } from '../protocol-types.js';

export function toWire(result: AppendResult): WireAppendResult {
  return {
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected.map((r) => (r.id === undefined ? { index: r.index, errors: formatProblems(r.problems) } : { index: r.index, id: r.id, errors: formatProblems(r.problems) })),
  };
}
