// DORA's five keys and the downstream share, by origin, over a window of Changes. Pure.
import { LEDGER_ORIGINS, type ChangeSpec, type ChangeStatus, type LedgerOrigin } from '../api/index.js';

/** What the figures read from a Change. */
export interface LedgerChange {
  spec: Pick<ChangeSpec, 'origin' | 'fixes'>;
  status: ChangeStatus;
}

export interface Distribution {
  count: number;
  median?: number;
  p90?: number;
}

export interface OriginFigures {
  origin: LedgerOrigin;
  /** Changes with an event in the window. */
  changes: number;
  /** Changes promoted in the window. */
  deployments: number;
  deploymentsPerDay: number;
  /** Seconds from start to the promotion that proved stable, for changes that became stable in the window. */
  leadTime: Distribution;
  /** Rolled-back canaries over canaries started, for changes with an event in the window. */
  canaryFailureRate?: number;
  /** Escaped failures over deployments in the window. */
  escapedFailureRate?: number;
  /** Seconds from an escaped failure's detection to its restore, for restores in the window. */
  recoveryTime: Distribution;
  /** Share of deployments that were unplanned fixes: declaring clairvoyance.dev/fixes, or promoted after a rolled-back attempt. */
  reworkRate?: number;
  /** Of the decided changes' cycle (stable, restored or abandoned in the window): the part after first apply. */
  downstreamShare?: number;
  /** Whole cycle of the window's decided changes (failed and abandoned ones included) per change that became stable. */
  cyclePerStableSeconds?: number;
}

export interface Window {
  since: Date;
  until: Date;
}

const DAY_S = 86_400;

function inWindow(t: string | undefined, w: Window): boolean {
  if (t === undefined) return false;
  const v = Date.parse(t);
  return v >= w.since.getTime() && v <= w.until.getTime();
}

/** Nearest-rank quantile of ascending values. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const d: Distribution = { count: sorted.length };
  const median = quantile(sorted, 0.5);
  const p90 = quantile(sorted, 0.9);
  if (median !== undefined) d.median = median;
  if (p90 !== undefined) d.p90 = p90;
  return d;
}

const ratio = (n: number, d: number): number | undefined => (d > 0 ? n / d : undefined);

/** A deployment is rework when it fixes an earlier change or follows a rolled-back attempt of its own. */
export function isRework(c: LedgerChange): boolean {
  return c.spec.fixes !== undefined || c.status.canaryRollbacks > 0;
}

export function figuresFor(origin: LedgerOrigin, all: readonly LedgerChange[], w: Window): OriginFigures {
  const mine = all.filter((c) => c.spec.origin === origin);
  const touched = mine.filter((c) => inWindow(c.status.lastEventAt, w) || inWindow(c.status.startedAt, w));
  const deployed = mine.filter((c) => inWindow(c.status.promotedAt, w));
  const stable = mine.filter((c) => c.status.state === 'Stable' && inWindow(c.status.stableAt, w));
  const restored = mine.filter((c) => inWindow(c.status.restoredAt, w));
  // Abandoned changes never reached stable, but their cycle is part of what stable changes cost.
  const abandoned = mine.filter((c) => c.status.state === 'Abandoned' && inWindow(c.status.lastEventAt, w));
  const decided = [...stable, ...restored, ...abandoned];
  const days = Math.max((w.until.getTime() - w.since.getTime()) / 1000 / DAY_S, 1 / 24);
  const sum = (cs: LedgerChange[], f: (c: LedgerChange) => number): number => cs.reduce((n, c) => n + f(c), 0);
  const before = (c: LedgerChange): number =>
    c.status.startedAt && c.status.firstAppliedAt ? Math.max(0, (Date.parse(c.status.firstAppliedAt) - Date.parse(c.status.startedAt)) / 1000) : 0;
  const downstream = (c: LedgerChange): number => c.status.figures.downstreamSeconds ?? 0;
  const cycleTotal = sum(decided, (c) => before(c) + downstream(c));
  const out: OriginFigures = {
    origin,
    changes: touched.length,
    deployments: deployed.length,
    deploymentsPerDay: deployed.length / days,
    leadTime: distribution(stable.map((c) => c.status.figures.leadTimeSeconds ?? 0)),
    recoveryTime: distribution(restored.map((c) => c.status.figures.timeToRestoreSeconds ?? 0)),
  };
  const canaryFailureRate = ratio(
    sum(touched, (c) => c.status.canaryRollbacks),
    sum(touched, (c) => c.status.canaries),
  );
  const escapedFailureRate = ratio(
    sum(deployed, (c) => c.status.escapedFailures),
    deployed.length,
  );
  const reworkRate = ratio(deployed.filter(isRework).length, deployed.length);
  const downstreamShare = ratio(sum(decided, downstream), cycleTotal);
  const cyclePerStableSeconds = ratio(cycleTotal, stable.length);
  return {
    ...out,
    ...(canaryFailureRate !== undefined ? { canaryFailureRate } : {}),
    ...(escapedFailureRate !== undefined ? { escapedFailureRate } : {}),
    ...(reworkRate !== undefined ? { reworkRate } : {}),
    ...(downstreamShare !== undefined ? { downstreamShare } : {}),
    ...(cyclePerStableSeconds !== undefined ? { cyclePerStableSeconds } : {}),
  };
}

/** The five keys and the downstream share for every origin, in a fixed order. */
export function doraByOrigin(changes: readonly LedgerChange[], w: Window): OriginFigures[] {
  return LEDGER_ORIGINS.map((o) => figuresFor(o, changes, w));
}
