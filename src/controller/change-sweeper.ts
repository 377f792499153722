// The leader's ledger clock: marks promoted Changes Stable when their window passes and
// deletes Changes past the retention. Decisions come from the pure planSweep; this loop
// only reads the cache, writes, and sleeps until the next window ends.
import { errorMessage, type SharedInformer } from '../kube/index.js';
import { planSweep, type SweptChange } from '../ledger/sweep.js';
import type { Logger } from '../telemetry/logger.js';
import type { ChangeLedger } from './change-ledger.js';
import type { ChangeObject } from '../api/objects.js';

/** Upper bound between sweeps: new promotions are noticed at least this often. */
const MAX_SLEEP_MS = 5_000;
const MIN_SLEEP_MS = 100;

export interface ChangeSweeperOptions {
  cache: SharedInformer<ChangeObject>;
  ledger: ChangeLedger;
  retentionMs: number;
  logger: Logger;
  clock?: () => Date;
}

export class ChangeSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly opts: ChangeSweeperOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; returns milliseconds until the next is due. */
  async sweep(): Promise<number> {
    const now = this.opts.clock?.() ?? new Date();
    const objects = this.opts.cache.list();
    const byKey = new Map<string, ChangeObject>();
    const swept: SweptChange[] = [];
    for (const o of objects) {
      const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
      byKey.set(key, o);
      swept.push({ name: key, spec: { stabilityWindow: o.spec?.stabilityWindow ?? '24h' }, status: o.status });
    }
    const plan = planSweep(swept, now, this.opts.retentionMs);
    for (const { name: key, event } of plan.stable) {
      const o = byKey.get(key)!;
      const ns = o.metadata?.namespace ?? '';
      await this.opts.ledger.record(ns, [{ change: { name: o.metadata?.name ?? '', spec: { rollout: o.spec?.rollout ?? '' }, mustExist: true }, event }]);
    }
    for (const key of plan.expired) {
      const o = byKey.get(key)!;
      await this.opts.ledger.delete(o.metadata?.namespace ?? '', o.metadata?.name ?? '');
    }
    if (plan.stable.length || plan.expired.length) this.opts.logger.info({ stable: plan.stable.length, expired: plan.expired.length }, 'change ledger sweep');
    const untilDue = plan.nextDueAt === undefined ? MAX_SLEEP_MS : plan.nextDueAt - now.getTime();
    return Math.min(MAX_SLEEP_MS, Math.max(MIN_SLEEP_MS, untilDue));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((err: unknown) => {
          this.opts.logger.warn({ err: errorMessage(err) }, 'change ledger sweep failed; retrying');
          return MAX_SLEEP_MS;
        })
        .then((next) => this.schedule(next));
    }, ms);
  }
}
