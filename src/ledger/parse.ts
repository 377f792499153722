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

/**
 * Parses each object once: the cache replaces an object on every update, so its identity is
 * its version. Scrapes over thousands of Changes parse only what changed since the last one.
 */
export function cachedLedgerParser(): (objects: readonly object[]) => LedgerChange[] {
  const parsed = new WeakMap<object, LedgerChange | null>();
  return (objects) => {
    const out: LedgerChange[] = [];
    for (const o of objects) {
      let c = parsed.get(o);
      if (c === undefined) {
        c = parseLedgerChanges([o]).changes[0] ?? null;
        parsed.set(o, c);
      }
      if (c) out.push(c);
    }
    return out;
  };
}
