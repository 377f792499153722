// The rollout core: observed state in, plan out. No I/O. The status is parsed once into
// a state keyed by phase (state.ts); each phase is a small function over a draft that
// takes the fields its phase requires, and `planRollout` picks which ones run.
import { parseDuration } from '../api/durations.js';
import type { AnalysisPhase, AnalysisRunStatus, Provenance, RolloutPhase, RolloutStatus } from '../api/index.js';
import { canaryReplicaCount, splitReplicas } from './replica-split.js';
import { setCondition } from './conditions.js';
import type { ObservedState, ReplicaSetView } from './observed.js';
import type { Action, Plan, ReplicaTarget, TransitionEvent } from './plan.js';
import { baselineOf, baselineRevision } from './baseline.js';
import { authoredAt, provenanceFrom } from './provenance.js';
import { recordCanaryEnd } from './history.js';
import { changeTarget, fixEntry, startEvents, type LedgerEntry } from '../ledger/identity.js';
import type { ChangeEvent } from '../api/index.js';
import { BACKGROUND_RUN, stepKindAt, stepRunName, weightAt } from './steps.js';
import { canaryScaleAt, headerRoutesAt, routedBeyond, routedRevisions, trafficDrained, trafficProgress, usesGateway, type TrafficTarget } from './traffic.js';
import {
  canaryOf,
  parseRolloutStatus,
  type CanaryPair,
  type DegradedState,
  type GatingState,
  type InFlightState,
  type ProgressingState,
  type RolloutState,
} from './state.js';

/** Re-check interval for Blocked gates, so a fixed flag or policy unblocks by itself. */
export const GATE_RECHECK_MS = 10_000;
/** Safety net while waiting for pods; informer events usually come first. */
export const WAIT_RECHECK_MS = 5_000;
/** While a Gateway takes up a route change; status updates usually land within a second. */
export const ROUTE_RECHECK_MS = 1_000;
/** Steps that complete at once are chained in one reconcile, up to this many. */
const MAX_STEPS_PER_RECONCILE = 20;

const BAD_ANALYSIS: ReadonlySet<AnalysisPhase> = new Set(['Failed', 'Error']);

class Draft {
  readonly status: RolloutStatus;
  readonly targets = new Map<string, ReplicaTarget>();
  readonly actions: Action[] = [];
  readonly events: TransitionEvent[] = [];
  readonly ledger: LedgerEntry[] = [];
  workloadReplicas: number | undefined;
  requeueAfterMs: number | undefined;
  traffic: TrafficTarget | undefined;
  /** Weight through Gateway API routes rather than replica counts. */
  readonly gateway: boolean;

  constructor(readonly o: ObservedState) {
    this.status = structuredClone(o.rollout.status ?? {});
    this.gateway = usesGateway(o.rollout.spec);
  }

  /** The routes' target (kept for the plan with a gateway only): Services on these revisions, the canary at `weight`. */
  route(stable: string, canary: string, weight: number, headerRoutes: TrafficTarget['headerRoutes'] = []): TrafficTarget {
    const target = { stableRevision: stable, canaryRevision: canary, canaryWeight: weight, headerRoutes };
    if (this.gateway) this.traffic = target;
    return target;
  }

  get now(): string {
    return this.o.now.toISOString();
  }

  get replicas(): number {
    return this.o.rollout.spec.replicas;
  }

  rs(revision: string | undefined): ReplicaSetView | undefined {
    return revision === undefined ? undefined : this.o.replicaSets.find((r) => r.revision === revision);
  }

  target(revision: string, replicas: number, scaleDownAt?: string | null): void {
    this.targets.set(revision, { revision, replicas, ...(scaleDownAt !== undefined ? { scaleDownAt } : {}) });
  }

  /**
   * The canary is over (promoted or rolled back): no baseline any more, even one this
   * reconcile already sized before the verdict, so it is scaled away with the replaced.
   */
  dropBaseline(): void {
    this.status.baselineRevision = undefined;
    for (const revision of this.targets.keys()) if (baselineOf(revision) !== undefined) this.targets.delete(revision);
  }

  requeue(ms: number): void {
    this.requeueAfterMs = this.requeueAfterMs === undefined ? ms : Math.min(this.requeueAfterMs, ms);
  }

  event(type: TransitionEvent['type'], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  /** An event for the canary's Change (or another, by name). */
  change(event: ChangeEvent, name = this.status.changes?.canary): void {
    if (!name) return;
    this.ledger.push({ change: { name, spec: { rollout: this.o.rollout.name }, mustExist: true }, event });
  }

  setPhase(phase: RolloutPhase, reason: string, message: string): void {
    this.status.phase = phase;
    this.status.reason = reason;
    this.status.message = message;
  }

  run(name: string): AnalysisRunStatus | undefined {
    return (this.o.analysisRuns ?? []).find((r) => r.name === name) ?? (this.status.analysisRuns ?? []).find((r) => r.name === name);
  }
}

export function planRollout(o: ObservedState): Plan {
  const d = new Draft(o);
  const before = { phase: o.rollout.status?.phase, step: o.rollout.status?.currentStepIndex };
  const { state, problem } = parseRolloutStatus(d.status);
  mergeAnalysisRuns(d);

  if (!o.workload) {
    d.setPhase('Degraded', 'WorkloadNotFound', `Deployment ${o.rollout.spec.workloadRef.name} not found in ${o.rollout.namespace}`);
    d.requeue(GATE_RECHECK_MS);
    return finish(d, before);
  }

  const desired = o.workload.revision;
  if (problem !== undefined) {
    const then = desired === state.stable ? `settling on stable ${state.stable}` : `revision ${desired} starts over from Gating`;
    d.event('Warning', 'StatusUnreadable', `status unreadable (${problem}): ${then}`);
  }
  if (state.phase === 'NotAdopted') {
    adopt(d, desired);
  } else if (desired === state.stable) {
    const canary = canaryOf(state);
    if (canary !== undefined && canary !== desired) {
      d.event('Normal', 'CanaryAbandoned', `template returned to the stable revision ${desired}; canary ${canary} abandoned`);
      d.change({ type: 'Abandoned', at: d.now, revision: canary, reason: 'ReturnedToStable' });
      d.status.changes = { ...d.status.changes, canary: d.status.changes?.stable };
    }
    settleHealthy(d, state.stable);
  } else {
    const current = state.phase !== 'Healthy' && state.canary === desired ? state : startRevision(d, state.stable, desired, previousCanary(state));
    const next = handleOperatorAction(d, current);
    switch (next.phase) {
      case 'Gating':
      case 'Blocked':
        gate(d, next);
        break;
      case 'Progressing':
      case 'Paused':
        progress(d, next);
        break;
      case 'Degraded':
        holdRolledBack(d, next);
        break;
    }
  }
  scaleDownReplaced(d);
  handOver(d);
  return finish(d, before);
}

/**
 * The Deployment's own pods leave only as the Rollout's pods serve in their place:
 * never below what the Rollout's ready pods leave uncovered (workloadRef.scaleDown).
 */
function handOver(d: Draft): void {
  const mode = d.o.rollout.spec.workloadRef.scaleDown;
  const current = d.o.workload?.replicas ?? 0;
  if (mode === 'never') return;
  if (d.status.adopted) {
    if (current !== 0) d.workloadReplicas = 0;
    return;
  }
  const ready = d.o.replicaSets.reduce((n, rs) => n + rs.readyReplicas, 0);
  const want = mode === 'onsuccess' ? (ready >= d.replicas ? 0 : current) : Math.min(current, Math.max(0, d.replicas - ready));
  if (want < current) d.workloadReplicas = want;
  if (want === 0) {
    d.status.adopted = true;
    if (current > 0)
      d.event('Normal', 'WorkloadScaledDown', `Deployment ${d.o.rollout.spec.workloadRef.name} handed over to ${ready} ready Rollout pod(s); scaled to 0`);
    return;
  }
  d.requeue(WAIT_RECHECK_MS);
}

/** Runs advanced by the analysis seam replace their old copies in status. */
function mergeAnalysisRuns(d: Draft): void {
  const fresh = d.o.analysisRuns;
  if (!fresh?.length) return;
  const byName = new Map((d.status.analysisRuns ?? []).map((r) => [r.name, r]));
  for (const run of fresh) {
    const was = byName.get(run.name)?.phase;
    if (run.phase !== was && run.phase !== 'Running' && run.phase !== 'Pending')
      d.change({
        type: 'AnalysisVerdict',
        at: d.now,
        revision: d.status.canaryRevision,
        reason: run.phase,
        message: `${run.name}: ${run.message ?? run.phase}`.slice(0, 1024),
      });
    byName.set(run.name, run);
  }
  d.status.analysisRuns = [...byName.values()];
}

/** First sight of the workload: its current template becomes stable, no canary. */
function adopt(d: Draft, revision: string): void {
  d.status.stableRevision = revision;
  d.status.canaryRevision = revision;
  d.event('Normal', 'Adopted', `adopted Deployment ${d.o.rollout.spec.workloadRef.name}; revision ${revision} is stable`);
  settleHealthy(d, revision);
}

function settleHealthy(d: Draft, stable: string): void {
  d.status.stableRevision = stable;
  d.status.canaryRevision = stable;
  d.dropBaseline();
  d.status.weights = { canary: 0, stable: 100 };
  d.status.pauseStartedAt = undefined;
  d.status.operatorAction = undefined;
  d.target(stable, d.replicas, null);
  d.route(stable, stable, 0);
  if (d.status.phase !== 'Healthy') d.setPhase('Healthy', 'RolloutHealthy', `revision ${stable} serves all traffic`);
}

/** A canary that a new revision replaces: one in flight, not the stable revision itself. */
function previousCanary(state: RolloutState): string | undefined {
  const canary = canaryOf(state);
  return state.phase !== 'NotAdopted' && canary !== state.stable ? canary : undefined;
}

/** A new revision (or one retried) starts from Gating beside `stable`. */
function startRevision(d: Draft, stable: string, revision: string, previousCanary: string | undefined): GatingState {
  const annotations = d.o.workload?.templateAnnotations ?? {};
  const provenance = provenanceFrom(annotations);
  d.status.canaryRevision = revision;
  d.status.currentStepIndex = 0;
  d.status.stepStartedAt = undefined;
  d.status.pauseStartedAt = undefined;
  d.status.findings = [];
  d.status.analysisRuns = [];
  d.status.weights = { canary: 0, stable: 100 };
  d.status.provenance = provenance;
  d.status.fastRollback = isFastRollback(d.o.rollout.spec, d.status, revision, d.o.now) || undefined;
  d.status.cycle = {
    ...(authoredAt(provenance) ? { authoredAt: authoredAt(provenance) } : {}),
    admittedAt: d.o.workload?.admittedAt ?? d.now,
  };
  recordNewRevision(d, revision, provenance, previousCanary);
  d.setPhase('Gating', 'NewRevision', `revision ${revision} is being checked against its gates`);
  d.event(
    'Normal',
    'NewRevision',
    previousCanary
      ? `revision ${revision} replaces canary ${previousCanary}; starting over from stable ${stable}`
      : `revision ${revision} (origin ${provenance.origin ?? 'unannotated'}) detected`,
  );
  return { phase: 'Gating', stable, canary: revision };
}

/** The ledger's side of a new revision: an attempt of its change, and what it says about earlier ones. */
function recordNewRevision(d: Draft, revision: string, provenance: Provenance, previousCanary: string | undefined): void {
  const spec = d.o.rollout.spec;
  const rollout = d.o.rollout.name;
  const admitted = d.status.cycle?.admittedAt ?? d.now;
  const target = changeTarget(rollout, revision, provenance, { workload: spec.workloadRef.name, stabilityWindow: spec.stabilityWindow });
  const changes = d.status.changes ?? {};
  if (previousCanary && changes.canary && changes.canary !== target.name && changes.canary !== changes.stable)
    d.change({ type: 'Abandoned', at: d.now, revision: previousCanary, reason: 'Replaced' }, changes.canary);
  // Back to a revision that was stable before the current one: the current one escaped.
  if (changes.stable && wasStableBefore(d.status, revision))
    d.change({ type: 'Reverted', at: d.now, revision: d.status.stableRevision, reason: revision }, changes.stable);
  if (provenance.fixes && provenance.fixes !== provenance.changeId)
    d.ledger.push(fixEntry(provenance.fixes, provenance.changeId ?? target.name, rollout, d.now));
  d.ledger.push(...startEvents(target, provenance), { change: target, event: { type: 'Admitted', at: admitted, revision } });
  d.status.changes = { ...changes, canary: target.name };
}

/**
 * A revision that stopped being the stable one less than rollback.window ago: the
 * promotion that replaced it ended within the window. Only then are the steps skipped.
 */
export function isFastRollback(spec: Pick<ObservedState['rollout']['spec'], 'rollback'>, status: RolloutStatus, revision: string, now: Date): boolean {
  const window = spec.rollback.window;
  if (window === undefined || revision === status.stableRevision) return false;
  const replaced = (status.history ?? []).filter((h) => h.outcome === 'Promoted' && h.stableRevision === revision).at(-1);
  return replaced !== undefined && now.getTime() - Date.parse(replaced.endedAt) <= parseDuration(window);
}

/** A revision promoted before, or replaced by a promotion, that is not the stable one now. */
function wasStableBefore(status: RolloutStatus, revision: string): boolean {
  if (revision === status.stableRevision) return false;
  return (status.history ?? []).some((h) => h.outcome === 'Promoted' && (h.revision === revision || h.stableRevision === revision));
}

function gate(d: Draft, s: GatingState): void {
  const { stable, canary } = s;
  d.target(stable, d.replicas, null);
  d.target(canary, 0);
  d.route(stable, canary, 0);
  const verdict = d.o.gate;
  if (!verdict) {
    // The shell evaluates gates whenever they are due; without a verdict, wait.
    d.requeue(GATE_RECHECK_MS);
    return;
  }
  d.status.findings = verdict.findings;
  if (!verdict.passed) {
    const ids = verdict.findings.filter((f) => f.enforcement === 'Enforce').map((f) => f.ruleId);
    const message = verdict.message ?? `blocked by ${ids.length ? ids.join(', ') : 'a gate'}`;
    if (s.phase !== 'Blocked' || d.status.message !== message) {
      d.event('Warning', 'GateBlocked', message);
      d.change({ type: 'GateBlocked', at: d.now, revision: canary, rules: [...new Set(ids)].slice(0, 20), message: message.slice(0, 1024) });
    }
    d.setPhase('Blocked', 'GateBlocked', message);
    d.requeue(GATE_RECHECK_MS);
    return;
  }
  d.status.cycle = { ...d.status.cycle, gatedAt: d.now, canaryStartedAt: d.now };
  d.change({ type: 'GatesPassed', at: d.now, revision: canary });
  d.status.stepStartedAt = d.now;
  let stepIndex = 0;
  if (d.status.fastRollback) {
    // Back to code that served within rollback.window: straight to promotion, no steps.
    stepIndex = d.o.rollout.spec.strategy.canary.steps.length;
    d.setPhase('Progressing', 'FastRollback', `revision ${canary} was stable within rollback.window; steps skipped`);
    d.event('Normal', 'FastRollback', `revision ${canary} was stable within rollback.window: it passed the Enforce rules and returns without the canary steps`);
  } else {
    d.setPhase('Progressing', 'GatesPassed', `revision ${canary} passed its gates`);
    d.event('Normal', 'GatesPassed', `revision ${canary} passed its gates; canary starting`);
  }
  d.status.currentStepIndex = stepIndex;
  progress(d, { phase: 'Progressing', stable, canary, stepIndex, stepStartedAt: d.now });
}

/** An operator's request (CLI, in status) acts on the state it finds; the state to plan from next. */
function handleOperatorAction(d: Draft, s: InFlightState): InFlightState {
  const request = d.status.operatorAction;
  if (!request) return s;
  d.status.operatorAction = undefined;
  const phase = s.phase;
  const by = request.requestedBy ? ` by ${request.requestedBy}` : '';
  switch (request.action) {
    case 'Abort':
      if (phase !== 'Degraded') return rollback(d, s, 'Aborted', `aborted${by}${request.message ? `: ${request.message}` : ''}`);
      d.event('Normal', 'ActionIgnored', `abort ignored: nothing in flight (phase ${phase})`);
      return s;
    case 'Retry':
      if (phase === 'Degraded' || phase === 'Blocked' || isFrozen(d.status)) {
        const retried = startRevision(d, s.stable, s.canary, undefined);
        d.event('Normal', 'Retry', `retry requested${by}`);
        return retried;
      }
      d.event('Normal', 'ActionIgnored', `retry ignored in phase ${phase}`);
      return s;
    case 'Promote':
    case 'PromoteFull': {
      if (phase !== 'Progressing' && phase !== 'Paused') {
        d.event('Normal', 'ActionIgnored', `promote ignored in phase ${phase}`);
        return s;
      }
      const blocking = blockingAnalysis(d);
      if (blocking) {
        d.event('Warning', 'PromotionRefused', `promotion refused: analysis ${blocking.name} is ${blocking.phase}`);
        return s;
      }
      const steps = d.o.rollout.spec.strategy.canary.steps;
      const index = s.stepIndex;
      const stepIndex = request.action === 'PromoteFull' ? steps.length : Math.min(index + 1, steps.length);
      d.status.currentStepIndex = stepIndex;
      d.status.stepStartedAt = d.now;
      d.status.pauseStartedAt = undefined;
      d.status.phase = 'Progressing';
      d.event('Normal', 'Promoted', `${request.action === 'PromoteFull' ? 'full promotion' : `step ${index} promoted`}${by}`);
      return { ...s, phase: 'Progressing', stepIndex, stepStartedAt: d.now };
    }
  }
}

/** An analysis that forbids promotion: failed, errored or inconclusive. */
function blockingAnalysis(d: Draft): AnalysisRunStatus | undefined {
  return (d.status.analysisRuns ?? []).find((r) => BAD_ANALYSIS.has(r.phase) || r.phase === 'Inconclusive');
}

/** Where a canary stands while its steps run: its revisions, the step, and when that step started. */
interface StepAt extends CanaryPair {
  index: number;
  startedAt: string;
}

function progress(d: Draft, s: ProgressingState): void {
  const spec = d.o.rollout.spec;
  const steps = spec.strategy.canary.steps;
  const at: StepAt = { stable: s.stable, canary: s.canary, index: s.stepIndex, startedAt: s.stepStartedAt ?? d.now };

  for (let guard = 0; guard < MAX_STEPS_PER_RECONCILE; guard++) {
    const background = d.run(BACKGROUND_RUN);
    if (background && BAD_ANALYSIS.has(background.phase)) {
      failCanary(d, at, 'AnalysisFailed', `background analysis failed: ${background.message ?? background.phase}`);
      return;
    }
    const index = at.index;
    d.status.stepStartedAt = at.startedAt;
    const step = steps[index];
    if (step === undefined) {
      // At or past the last step.
      finalPromotion(d, at, background);
      return;
    }
    const weight = weightAt(steps, index);
    if (d.gateway) {
      if (!routeStep(d, at, weight)) return;
    } else if (!replicaStep(d, at, weight)) return;
    if (background?.phase === 'Inconclusive') {
      d.setPhase('Paused', 'AnalysisInconclusive', `background analysis inconclusive: ${background.message ?? 'missing evidence'}`);
      return;
    }

    const kind = stepKindAt(steps, index);
    if (kind === 'pause') {
      d.status.pauseStartedAt ??= d.now;
      const duration = step.pause?.duration;
      if (duration === undefined) {
        d.setPhase('Paused', 'PausedForPromotion', `paused at step ${index}: waiting for clairvoyance promote`);
        return;
      }
      const remaining = Date.parse(d.status.pauseStartedAt) + parseDuration(duration) - d.o.now.getTime();
      if (remaining > 0) {
        d.setPhase('Paused', 'TimedPause', `paused at step ${index} for ${duration}`);
        d.requeue(remaining);
        return;
      }
    } else if (kind === 'analysis') {
      const run = d.run(stepRunName(index));
      if (run && BAD_ANALYSIS.has(run.phase)) {
        failCanary(d, at, 'AnalysisFailed', `analysis at step ${index} failed: ${run.message ?? run.phase}`);
        return;
      }
      if (run?.phase === 'Inconclusive') {
        d.setPhase('Paused', 'AnalysisInconclusive', `analysis at step ${index} inconclusive: ${run.message ?? 'missing evidence'}`);
        return;
      }
      if (run?.phase !== 'Successful') {
        d.setPhase('Progressing', 'AnalysisRunning', `analysis at step ${index} running`);
        d.requeue(WAIT_RECHECK_MS);
        return;
      }
    } else if (kind === 'setFlag' && step.setFlag) {
      d.actions.push({ type: 'setFlag', percent: step.setFlag.percent });
    }
    advance(d, at, kind ?? 'unknown');
  }
  d.requeue(0);
}

/** The replicas router: the weight is the canary's share of pods. True once the split is settled. */
function replicaStep(d: Draft, at: StepAt, weight: number): boolean {
  const { stable, canary, index } = at;
  const spec = d.o.rollout.spec;
  const baseline = runBaseline(d, stable, canaryReplicaCount(d.replicas, weight));
  // Once the baseline serves, its pods count on the stable side of the split, so stable
  // hands it their share; until then stable keeps what it has.
  const stableSide = counts(d.rs(stable));
  if (baseline.serving > 0) {
    const b = counts(d.rs(baseline.revision));
    stableSide.replicas += b.replicas;
    stableSide.ready += b.ready;
  }
  const split = splitReplicas({
    replicas: d.replicas,
    weight,
    maxSurge: spec.strategy.canary.maxSurge,
    maxUnavailable: spec.strategy.canary.maxUnavailable,
    stable: stableSide,
    canary: counts(d.rs(canary)),
  });
  d.target(stable, Math.max(0, split.stable - baseline.serving), null);
  d.target(canary, split.canary, null);
  d.status.weights = { canary: weight, stable: 100 - weight };

  if (!split.settled || !baseline.ready) {
    if (deadlinePassed(d, at)) {
      failCanary(d, at, 'ProgressDeadlineExceeded', `canary pods not ready within ${spec.progressDeadlineSeconds}s at step ${index} (weight ${weight}%)`);
      return false;
    }
    d.setPhase(
      'Progressing',
      'WaitingForReplicas',
      `step ${index}: scaling to ${split.targetCanary} canary${spec.strategy.canary.baseline ? `, ${split.targetCanary} baseline` : ''} and ${split.targetStable - baseline.serving} stable pod(s) for weight ${weight}%`,
    );
    d.requeue(WAIT_RECHECK_MS);
    return false;
  }
  return true;
}

/**
 * The Gateway API router: stable keeps every pod, the canary runs its own scale, and the
 * weight moves only once those pods are ready; it counts once the Gateway accepted it.
 * A canary's pods never shrink below what the routes still send it.
 */
function routeStep(d: Draft, at: StepAt, weight: number): boolean {
  const { stable, canary, index } = at;
  const spec = d.o.rollout.spec;
  const steps = spec.strategy.canary.steps;
  const headerRoutes = headerRoutesAt(steps, index);
  const scale = canaryScaleAt(steps, index, d.replicas, weight);
  const current = d.rs(canary)?.replicas ?? 0;
  const stillRouted = routedBeyond(d.o.traffic, weight, headerRoutes);
  d.target(stable, d.replicas, null);
  d.target(canary, stillRouted ? Math.max(scale, current) : scale, null);
  const ready = d.rs(canary)?.readyReplicas ?? 0;
  const stableReady = d.rs(stable)?.readyReplicas ?? 0;
  if (ready < scale || stableReady < d.replicas) {
    if (deadlinePassed(d, at)) {
      failCanary(d, at, 'ProgressDeadlineExceeded', `canary pods not ready within ${spec.progressDeadlineSeconds}s at step ${index} (weight ${weight}%)`);
      return false;
    }
    d.route(stable, canary, d.status.weights?.canary ?? 0, headerRoutesAt(steps, index - 1));
    d.setPhase('Progressing', 'WaitingForReplicas', `step ${index}: scaling to ${scale} canary and ${d.replicas} stable pod(s) before weight ${weight}%`);
    d.requeue(WAIT_RECHECK_MS);
    return false;
  }
  const progress = trafficProgress(d.o.traffic, d.route(stable, canary, weight, headerRoutes));
  if (progress.state === 'blocked') {
    if (d.status.phase !== 'Paused' || d.status.reason !== progress.reason) d.event('Warning', progress.reason, progress.message);
    d.setPhase('Paused', progress.reason, `step ${index}: ${progress.message}`);
    d.requeue(ROUTE_RECHECK_MS);
    return false;
  }
  if (progress.state === 'pending') {
    if (deadlinePassed(d, at)) {
      failCanary(d, at, 'ProgressDeadlineExceeded', `traffic not in place within ${spec.progressDeadlineSeconds}s at step ${index}: ${progress.message}`);
      return false;
    }
    d.setPhase('Progressing', 'WaitingForRoute', `step ${index}: ${progress.message}`);
    d.requeue(ROUTE_RECHECK_MS);
    return false;
  }
  d.status.weights = { canary: weight, stable: 100 - weight };
  return true;
}

/**
 * With `strategy.canary.baseline`, keeps a baseline of the stable template at the
 * canary's size. `ready` once all its pods are (always, without a baseline); `serving`
 * is how many pods stable may hand to it. Without a target the baseline's ReplicaSet is
 * scaled away like any replaced revision.
 */
function runBaseline(d: Draft, stable: string, size: number): { revision: string; ready: boolean; serving: number } {
  const revision = baselineRevision(stable);
  if (!d.o.rollout.spec.strategy.canary.baseline) return { revision, ready: true, serving: 0 };
  d.status.baselineRevision = revision;
  d.target(revision, size, null);
  const ready = (d.rs(revision)?.readyReplicas ?? 0) >= size;
  return { revision, ready, serving: ready ? size : 0 };
}

function advance(d: Draft, at: StepAt, kind: string): void {
  const index = at.index;
  at.index = index + 1;
  at.startedAt = d.now;
  d.status.currentStepIndex = at.index;
  d.status.stepStartedAt = at.startedAt;
  d.status.pauseStartedAt = undefined;
  d.setPhase('Progressing', 'StepCompleted', `step ${index} (${kind}) completed`);
}

function finalPromotion(d: Draft, at: StepAt, background: AnalysisRunStatus | undefined): void {
  const { stable, canary } = at;
  const stableRs = d.rs(stable);
  // The stable revision keeps its pods until the canary runs everything, then leaves after a delay.
  d.target(stable, Math.min(stableRs?.replicas ?? 0, d.replicas), null);
  d.target(canary, d.replicas, null);
  // Through a Gateway the route keeps its last weight: promotion moves the stable Service
  // onto the canary's pods, so both backends serve the new revision at once.
  // Header routes are only ever pointed at ready pods.
  const canaryReady = (d.rs(canary)?.readyReplicas ?? 0) > 0;
  if (d.gateway) d.route(stable, canary, d.status.weights?.canary ?? 0, canaryReady ? headerRoutesAt(d.o.rollout.spec.strategy.canary.steps, Infinity) : []);
  else d.status.weights = { canary: 100, stable: 0 };
  if (background && background.phase !== 'Successful' && background.phase !== 'Running') {
    d.setPhase('Paused', 'AnalysisInconclusive', `promotion waits: background analysis is ${background.phase}`);
    return;
  }
  const ready = d.rs(canary)?.readyReplicas ?? 0;
  if (ready < d.replicas) {
    if (deadlinePassed(d, at)) {
      failCanary(d, at, 'ProgressDeadlineExceeded', `canary not fully ready within ${d.o.rollout.spec.progressDeadlineSeconds}s of promotion`);
      return;
    }
    d.setPhase('Progressing', 'Promoting', `scaling canary ${canary} to ${d.replicas} replicas before promotion`);
    d.requeue(WAIT_RECHECK_MS);
    return;
  }
  const delayMs = d.o.rollout.spec.rollback.scaleDownDelaySeconds * 1000;
  d.target(stable, stableRs?.replicas ?? 0, new Date(d.o.now.getTime() + delayMs).toISOString());
  recordCanaryEnd(d.status, d.o.rollout.spec, { outcome: 'Promoted', reason: 'Promoted', at: d.now, stableRevision: stable });
  d.status.fastRollback = undefined;
  d.status.cycle = { ...d.status.cycle, promotedAt: d.now };
  d.change({ type: 'Promoted', at: d.now, revision: canary });
  d.status.changes = { ...d.status.changes, stable: d.status.changes?.canary };
  if (d.o.rollout.spec.flag && d.o.rollout.spec.flag.onPromotion === 'On') d.actions.push({ type: 'promoteFlag' });
  d.event('Normal', 'Promoted', `revision ${canary} promoted to stable; ${stable} scales down in ${delayMs / 1000}s`);
  settleHealthy(d, canary);
  d.setPhase('Healthy', 'Promoted', `revision ${canary} promoted`);
}

/** Reasons a failure freezes a canary under `rollback.automatic: false`. */
const FREEZE_REASONS: ReadonlySet<string> = new Set(['AnalysisFailed', 'ProgressDeadlineExceeded']);

/** Frozen: paused by a failure, waiting for an operator's abort or retry. */
export function isFrozen(status: RolloutStatus): boolean {
  return status.phase === 'Paused' && FREEZE_REASONS.has(status.reason ?? '');
}

/** A failed analysis or a passed deadline: roll back, or, with `rollback.automatic: false`, freeze. */
function failCanary(d: Draft, at: StepAt, reason: string, message: string): void {
  if (d.o.rollout.spec.rollback.automatic) rollback(d, at, reason, message);
  else freeze(d, at, reason, message);
}

/**
 * "Freeze, don't roll back" (irreversible migrations): the canary keeps its pods and its
 * weight, the kill switch still turns the new code path off, and an operator decides.
 */
function freeze(d: Draft, at: StepAt, reason: string, message: string): void {
  const spec = d.o.rollout.spec;
  const already = d.status.phase === 'Paused' && d.status.reason === reason;
  for (const revision of [at.stable, at.canary]) {
    if (!d.targets.has(revision)) d.target(revision, d.rs(revision)?.replicas ?? 0, null);
  }
  const weight = d.status.weights?.canary ?? 0;
  d.route(at.stable, at.canary, weight, headerRoutesAt(spec.strategy.canary.steps, at.index));
  const text = `${message}; frozen (rollback.automatic: false) with the canary held at ${weight}%: clairvoyance abort rolls it back, clairvoyance retry runs it again`;
  if (!already) {
    if (spec.flag && spec.rollback.killFlagWhenFrozen) d.actions.push({ type: 'killFlag' });
    d.event('Warning', 'Frozen', text);
  }
  d.setPhase('Paused', reason, text);
}

function rollback(d: Draft, s: CanaryPair, reason: string, message: string): DegradedState {
  // Kill switch first: the flag turns the new code path off before pods move.
  if (d.o.rollout.spec.flag) d.actions.push({ type: 'killFlag' });
  d.status.cycle = { ...d.status.cycle, rolledBackAt: d.now };
  d.status.fastRollback = undefined;
  d.change({ type: 'RolledBack', at: d.now, revision: s.canary, reason, message: message.slice(0, 1024) });
  recordCanaryEnd(d.status, d.o.rollout.spec, { outcome: 'RolledBack', reason, at: d.now, stableRevision: s.stable });
  d.status.pauseStartedAt = undefined;
  d.setPhase('Degraded', reason, message);
  d.event('Warning', 'RolledBack', `${reason}: ${message}`);
  const degraded: DegradedState = { phase: 'Degraded', stable: s.stable, canary: s.canary };
  holdRolledBack(d, degraded);
  return degraded;
}

function holdRolledBack(d: Draft, s: DegradedState): void {
  const { stable, canary } = s;
  d.dropBaseline();
  d.target(stable, d.replicas, null);
  d.status.weights = { canary: 0, stable: 100 };
  d.route(stable, canary, 0);
  // Weight leaves the canary before its pods do: they go once no route sends them traffic.
  if (d.gateway && !trafficDrained(d.o.traffic)) {
    d.target(canary, d.rs(canary)?.replicas ?? 0, null);
    d.requeue(ROUTE_RECHECK_MS);
  } else d.target(canary, 0, null);
}

/**
 * Revisions that are neither stable nor canary go to zero, after their scheduled delay,
 * and never while a route still sends them traffic through a Service that selects them.
 */
function scaleDownReplaced(d: Draft): void {
  const routed = d.gateway ? routedRevisions(d.o.traffic) : new Set<string>();
  for (const rs of d.o.replicaSets) {
    if (d.targets.has(rs.revision) || rs.replicas === 0) continue;
    if (routed.has(rs.revision)) {
      d.requeue(ROUTE_RECHECK_MS);
      continue;
    }
    if (rs.scaleDownAt) {
      const remaining = Date.parse(rs.scaleDownAt) - d.o.now.getTime();
      if (remaining > 0) {
        d.requeue(remaining);
        continue;
      }
    }
    d.target(rs.revision, 0, null);
  }
}

function deadlinePassed(d: Draft, at: StepAt): boolean {
  return d.o.now.getTime() - Date.parse(at.startedAt) > d.o.rollout.spec.progressDeadlineSeconds * 1000;
}

function counts(rs: ReplicaSetView | undefined): { replicas: number; ready: number } {
  return { replicas: rs?.replicas ?? 0, ready: rs?.readyReplicas ?? 0 };
}

function finish(d: Draft, before: { phase?: RolloutPhase; step?: number }): Plan {
  const s = d.status;
  const relevant = d.o.replicaSets.filter((r) => r.revision === s.stableRevision || r.revision === s.canaryRevision);
  s.replicas = relevant.reduce((n, r) => n + r.replicas, 0);
  s.readyReplicas = relevant.reduce((n, r) => n + r.readyReplicas, 0);
  s.updatedReplicas = d.rs(s.canaryRevision)?.readyReplicas ?? 0;
  if (d.o.workload) s.selector = d.o.workload.selector;
  s.observedGeneration = d.o.rollout.generation;
  const inFlight = s.phase === 'Gating' || s.phase === 'Progressing' || s.phase === 'Paused';
  s.conditions = setCondition(
    s.conditions,
    {
      type: 'Progressing',
      status: inFlight || s.phase === 'Healthy' ? 'True' : 'False',
      reason: s.reason ?? 'Unknown',
      message: s.message ?? '',
      observedGeneration: d.o.rollout.generation,
    },
    d.o.now,
  );
  const stableReady = d.rs(s.stableRevision)?.readyReplicas ?? 0;
  s.conditions = setCondition(
    s.conditions,
    {
      type: 'Available',
      status: stableReady + (s.stableRevision !== s.canaryRevision ? s.updatedReplicas : 0) >= d.replicas ? 'True' : 'False',
      reason: 'ReadyReplicas',
      message: `${s.readyReplicas} of ${d.replicas} pods ready`,
      observedGeneration: d.o.rollout.generation,
    },
    d.o.now,
  );
  if (d.traffic) s.conditions = setCondition(s.conditions, trafficCondition(d.o.traffic, d.traffic, d.o.rollout.generation), d.o.now);
  if (before.phase !== s.phase && s.phase) {
    d.event(
      s.phase === 'Degraded' || s.phase === 'Blocked' ? 'Warning' : 'Normal',
      `Phase${s.phase}`,
      `${before.phase ?? 'new'} -> ${s.phase}: ${s.message ?? ''}`,
    );
  } else if (before.step !== undefined && s.currentStepIndex !== before.step && s.phase !== 'Healthy') {
    d.event('Normal', 'StepChanged', `step ${before.step} -> ${s.currentStepIndex ?? 0}`);
  }
  const plan: Plan = { status: s, replicaTargets: [...d.targets.values()], actions: d.actions, events: d.events, ledger: d.ledger };
  if (d.traffic) plan.traffic = d.traffic;
  if (d.workloadReplicas !== undefined) plan.workloadReplicas = d.workloadReplicas;
  if (d.requeueAfterMs !== undefined) plan.requeueAfterMs = Math.max(0, d.requeueAfterMs);
  return plan;
}

/**
 * TrafficRouted: whether the routes carry what the plan wants, in every phase, so a route
 * that is not wired shows before the next canary needs it.
 */
function trafficCondition(view: ObservedState['traffic'], want: TrafficTarget, generation: number): Parameters<typeof setCondition>[1] {
  const progress = trafficProgress(view, want);
  const condition = { type: 'TrafficRouted', observedGeneration: generation };
  if (progress.state === 'applied')
    return { ...condition, status: 'True', reason: 'RoutesAccepted', message: `canary weight ${want.canaryWeight}% accepted by every Gateway` };
  if (progress.state === 'pending') return { ...condition, status: 'Unknown', reason: 'RoutePending', message: progress.message };
  return { ...condition, status: 'False', reason: progress.reason, message: progress.message };
}

/** Analysis runs the shell should advance this reconcile (step analysis and background). */
export interface AnalysisRequest {
  runName: string;
  stepIndex?: number;
}

export function analysisRequests(spec: ObservedState['rollout']['spec'], status: RolloutStatus): AnalysisRequest[] {
  const { state } = parseRolloutStatus(status);
  if (state.phase !== 'Progressing' && state.phase !== 'Paused') return [];
  if (state.canary === state.stable) return [];
  // A fast rollback is judged by the Enforce rules alone.
  if (status.fastRollback) return [];
  const requests: AnalysisRequest[] = [];
  if (spec.analysis) requests.push({ runName: BACKGROUND_RUN });
  const index = state.stepIndex;
  if (stepKindAt(spec.strategy.canary.steps, index) === 'analysis') requests.push({ runName: stepRunName(index), stepIndex: index });
  return requests;
}

/** Gates are evaluated for a revision that is new, gating or blocked (as the planner reads the status). */
export function gateDue(status: RolloutStatus, desiredRevision: string): boolean {
  const { state } = parseRolloutStatus(status);
  if (state.phase === 'NotAdopted' || desiredRevision === state.stable) return false;
  if (canaryOf(state) !== desiredRevision) return true;
  return state.phase === 'Gating' || state.phase === 'Blocked' || (state.phase === 'Degraded' && status.operatorAction?.action === 'Retry');
}
