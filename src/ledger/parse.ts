import { changeSpecSchema, changeStatusSchema } from '../api/index.js';
import type { LedgerChange } from './dora.js';

/** Changes as the figures read them; one that does not parse is counted, never guessed. */
export function parseLedgerChanges(objects: readonly { spec?: unknown; status?: unknown }[]): { changes: LedgerChange[]; skipped: number } {
  const changes: LedgerChange[] = [];
  let skipped = 0;
  for (const o of objects) {
    const spec = changeSpecSchema.safeParse(o.spec);
    const status = changeStatusSchema.safeParse(o.status ?? {});
    if (spec.success && status.success) changes.push({ spec: spec.data, status: status.data });
    else skipped++;
  }
  return { changes, skipped };
}
