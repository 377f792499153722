// The ledger core: one event at a time into a Change's status. Pure. Every event is
// guarded by the state it may arrive in, so a repeated event (a retried reconcile, two
// webhook replicas) changes nothing, and figures are running sums that survive the
// timeline being capped.
import { parseDuration } from '../api/durations.js';
import { CHANGE_EVENT_TYPES, CHANGE_TIMELINE_LIMIT, type ChangeEvent, type ChangeSpec, type ChangeState, type ChangeStatus } from '../api/index.js';

const ms = (t: string): number => Date.parse(t);
const secondsBetween = (from: string, to: string): number => Math.max(0, (ms(to) - ms(from)) / 1000);
const earlier = (a: string | undefined, b: string): string => (a === undefined || ms(b) < ms(a) ? b : a);
const later = (a: string | undefined, b: string): string => (a === undefined || ms(b) > ms(a) ? b : a);

/** States in which the change is decided: further events only add to its timeline. */
const CLOSED: ReadonlySet<ChangeState> = new Set(['Stable', 'Abandoned']);
const AT_GATES: ReadonlySet<ChangeState> = new Set(['Gating', 'Blocked']);
const ATTEMPT_EVENTS: ReadonlySet<ChangeEvent['type']> = new Set(['GateBlocked', 'GatesPassed', 'AnalysisVerdict', 'RolledBack', 'Promoted']);

export function emptyChangeStatus(): ChangeStatus {
  return { attempts: 0, denials: 0, canaries: 0, canaryRollbacks: 0, escapedFailures: 0, figures: {}, timeline: [] };
}

function sameEvent(a: ChangeEvent, b: ChangeEvent): boolean {
  return a.type === b.type && ms(a.at) === ms(b.at) && a.revision === b.revision && a.reason === b.reason;
}

/** Keeps the first entry (where the cycle began) and the newest ones. */
function append(s: ChangeStatus, e: ChangeEvent): void {
  const timeline = [...s.timeline, e];
  if (timeline.length <= CHANGE_TIMELINE_LIMIT) {
    s.timeline = timeline;
    return;
  }
  const drop = timeline.length - CHANGE_TIMELINE_LIMIT;
  s.timeline = [timeline[0]!, ...timeline.slice(1 + drop)];
  s.timelineDropped = (s.timelineDropped ?? 0) + drop;
}

function add(s: ChangeStatus, field: 'gatesSeconds' | 'canarySeconds' | 'reworkSeconds', at: string): void {
  if (s.openSince === undefined) return;
  s.figures[field] = (s.figures[field] ?? 0) + secondsBetween(s.openSince, at);
}

/** Closes the stage in progress at `at`, adding its length to the stage's sum. */
function closeStage(s: ChangeStatus, at: string): void {
  if (s.state && AT_GATES.has(s.state)) add(s, 'gatesSeconds', at);
  else if (s.state === 'Canary') add(s, 'canarySeconds', at);
  else if (s.state === 'RolledBack') add(s, 'reworkSeconds', at);
  s.openSince = undefined;
}

function start(s: ChangeStatus, at: string): void {
  s.startedAt = earlier(s.startedAt, at);
  if (s.admittedAt !== undefined) s.figures.beforeAdmissionSeconds = secondsBetween(s.startedAt, s.admittedAt);
}

function windowEnd(s: ChangeStatus, spec: Pick<ChangeSpec, 'stabilityWindow'>): number | undefined {
  return s.promotedAt === undefined ? undefined : ms(s.promotedAt) + parseDuration(spec.stabilityWindow);
}

/**
 * Applies one event. Returns whether it changed anything. An event the state does not
 * allow is dropped, or, when it is news (a revert after the window, a denial of a decided
 * change), recorded on the timeline without moving any figure.
 */
export function applyChangeEvent(status: ChangeStatus, event: ChangeEvent, spec: Pick<ChangeSpec, 'stabilityWindow'>): boolean {
  const s = status;
  let e = event;
  if (s.timeline.some((t) => sameEvent(t, e))) return false;
  // News about an attempt other than the current one is stale.
  if (ATTEMPT_EVENTS.has(e.type) && e.revision !== undefined && s.currentRevision !== undefined && e.revision !== s.currentRevision) return false;
  const state = s.state;
  const closed = state !== undefined && CLOSED.has(state);
  switch (e.type) {
    case 'Authored':
    case 'Prompted':
      // Each revision repeats its start; once is enough.
      if (s.timeline.some((t) => t.type === e.type && ms(t.at) === ms(e.at))) return false;
      start(s, e.at);
      s.state ??= 'Applying';
      break;
    case 'Denied':
      // Too late to count (the change is decided): on the timeline only.
      if (closed || state === 'Promoted' || state === 'Failed') break;
      start(s, e.at);
      s.firstAppliedAt = earlier(s.firstAppliedAt, e.at);
      s.denials += 1;
      // A denied fix during rework is still rework; otherwise the change waits at apply.
      if (state !== 'RolledBack' && !AT_GATES.has(state ?? 'Applying') && state !== 'Canary') s.state = 'Denied';
      break;
    case 'Admitted':
      if (closed || state === 'Promoted' || state === 'Failed') {
        // The revision came back after the change was decided: a restore, not a new attempt.
        append(s, { ...e, type: 'Redeployed' });
        s.lastEventAt = later(s.lastEventAt, e.at);
        return true;
      }
      if (s.currentRevision === e.revision && (AT_GATES.has(state ?? 'Applying') || state === 'Canary')) return false;
      // Admission stamps have whole seconds: one never precedes the stage it ends.
      if (s.openSince !== undefined && ms(e.at) < ms(s.openSince)) e = { ...e, at: s.openSince };
      closeStage(s, e.at);
      start(s, e.at);
      s.firstAppliedAt = earlier(s.firstAppliedAt, e.at);
      if (s.admittedAt === undefined) {
        s.admittedAt = e.at;
        s.figures.beforeAdmissionSeconds = secondsBetween(s.startedAt!, e.at);
      }
      s.attempts += 1;
      if (e.revision !== undefined) s.currentRevision = e.revision;
      s.state = 'Gating';
      s.openSince = e.at;
      break;
    case 'GateBlocked':
      if (!AT_GATES.has(state ?? 'Applying')) return false;
      s.state = 'Blocked';
      break;
    case 'GatesPassed':
      if (!AT_GATES.has(state ?? 'Applying')) return false;
      closeStage(s, e.at);
      s.canaries += 1;
      s.state = 'Canary';
      s.openSince = e.at;
      break;
    case 'AnalysisVerdict':
      if (state !== 'Canary') return false;
      break;
    case 'RolledBack':
      if (state !== 'Canary' && !AT_GATES.has(state ?? 'Applying')) return false;
      if (state === 'Canary') s.canaryRollbacks += 1;
      closeStage(s, e.at);
      s.state = 'RolledBack';
      s.openSince = e.at;
      break;
    case 'Promoted':
      if (state !== 'Canary') return false;
      closeStage(s, e.at);
      s.promotedAt = e.at;
      s.state = 'Promoted';
      break;
    case 'Abandoned':
      if (closed || state === 'Promoted' || state === 'Failed' || state === undefined) return false;
      closeStage(s, e.at);
      s.state = 'Abandoned';
      // Work that never reached production still cost its time downstream.
      s.figures.downstreamSeconds = secondsBetween(s.firstAppliedAt ?? e.at, e.at);
      break;
    case 'Stable': {
      const end = windowEnd(s, spec);
      if (state !== 'Promoted' || end === undefined || ms(e.at) < end) return false;
      // Stable from the moment the window ended, however late the sweep noticed.
      const at = new Date(end).toISOString();
      s.stableAt = at;
      s.state = 'Stable';
      s.figures.leadTimeSeconds = secondsBetween(s.startedAt ?? s.promotedAt!, s.promotedAt!);
      s.figures.downstreamSeconds = secondsBetween(s.firstAppliedAt ?? s.promotedAt!, s.promotedAt!);
      append(s, { ...e, at });
      s.lastEventAt = later(s.lastEventAt, e.at);
      return true;
    }
    case 'Reverted':
    case 'FixDeclared': {
      const end = windowEnd(s, spec);
      // Outside the window (or not promoted): informative, not a failure.
      if (state !== 'Promoted' || end === undefined || ms(e.at) >= end) break;
      s.state = 'Failed';
      s.failedAt = e.at;
      s.escapedFailures = 1;
      s.failure = { kind: e.type, ...(e.reason ? { by: e.reason } : {}) };
      break;
    }
    case 'Restored':
      if (state !== 'Failed' || s.restoredAt !== undefined) return false;
      s.restoredAt = e.at;
      s.figures.timeToRestoreSeconds = secondsBetween(s.failedAt!, e.at);
      s.figures.downstreamSeconds = secondsBetween(s.firstAppliedAt ?? s.promotedAt!, s.promotedAt!) + s.figures.timeToRestoreSeconds;
      break;
    case 'Redeployed':
      break;
  }
  append(s, e);
  s.lastEventAt = later(s.lastEventAt, e.at);
  return true;
}

/** Time order; events of one instant in lifecycle order (admitted before its gates passed). */
function byTime(a: ChangeEvent, b: ChangeEvent): number {
  const rank = (e: ChangeEvent): number => CHANGE_EVENT_TYPES.indexOf(e.type);
  return ms(a.at) - ms(b.at) || rank(a) - rank(b) || (a.revision ?? '').localeCompare(b.revision ?? '') || (a.reason ?? '').localeCompare(b.reason ?? '');
}

/** Applies events in time order; returns whether any changed the status. */
export function applyChangeEvents(status: ChangeStatus, events: readonly ChangeEvent[], spec: Pick<ChangeSpec, 'stabilityWindow'>): boolean {
  let changed = false;
  for (const e of [...events].sort(byTime)) changed = applyChangeEvent(status, e, spec) || changed;
  return changed;
}
