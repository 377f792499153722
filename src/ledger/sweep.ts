// What time alone decides about Changes: the stability window passing, and retention. Pure.
import { parseDuration } from '../api/durations.js';
import type { ChangeEvent, ChangeSpec, ChangeStatus } from '../api/index.js';

export const DEFAULT_RETENTION = '2160h';

export interface SweptChange {
  name: string;
  spec: Pick<ChangeSpec, 'stabilityWindow'>;
  status?: ChangeStatus | undefined;
}

export interface SweepPlan {
  /** Stable events due now, by Change name. */
  stable: { name: string; event: ChangeEvent }[];
  /** Changes whose last event is older than the retention. */
  expired: string[];
  /** When the next window ends, if any: the sweep wakes up then. */
  nextDueAt?: number;
}

export function planSweep(changes: readonly SweptChange[], now: Date, retentionMs: number): SweepPlan {
  const plan: SweepPlan = { stable: [], expired: [] };
  const t = now.getTime();
  for (const c of changes) {
    const s = c.status;
    const last = s?.lastEventAt ? Date.parse(s.lastEventAt) : undefined;
    if (last !== undefined && t - last > retentionMs) {
      plan.expired.push(c.name);
      continue;
    }
    if (s?.state !== 'Promoted' || !s.promotedAt) continue;
    const end = Date.parse(s.promotedAt) + parseDuration(c.spec.stabilityWindow);
    if (end <= t)
      plan.stable.push({ name: c.name, event: { type: 'Stable', at: now.toISOString(), ...(s.currentRevision ? { revision: s.currentRevision } : {}) } });
    else plan.nextDueAt = Math.min(plan.nextDueAt ?? Infinity, end);
  }
  return plan;
}
