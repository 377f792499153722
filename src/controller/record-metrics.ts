// Cycle-time metrics from the status timestamps of a change: recorded once, at
// the transition that sets promotedAt or rolledBackAt.
import type { RolloutStatus } from '../api/index.js';
import type { ControllerMetrics } from '../telemetry/metrics.js';

const seconds = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const d = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
};

export function recordTransition(metrics: ControllerMetrics, ns: string, name: string, before: RolloutStatus, after: RolloutStatus): void {
  if (after.phase && after.phase !== before.phase) metrics.phaseTransitions.inc({ phase: after.phase, reason: after.reason ?? 'Unknown' });
  if (before.currentStepIndex !== undefined && after.currentStepIndex !== before.currentStepIndex) {
    metrics.stepTransitions.inc({ namespace: ns, rollout: name });
  }
  const cycle = after.cycle ?? {};
  const origin = after.provenance?.origin ?? 'unannotated';
  const outcome = cycle.promotedAt && !before.cycle?.promotedAt ? 'promoted' : cycle.rolledBackAt && !before.cycle?.rolledBackAt ? 'rolled-back' : undefined;
  if (!outcome) return;
  const end = outcome === 'promoted' ? cycle.promotedAt : cycle.rolledBackAt;
  const start = cycle.authoredAt ?? cycle.admittedAt;
  const observe = (h: typeof metrics.cycleSeconds, value: number | undefined): void => {
    if (value !== undefined) h.observe({ origin, outcome }, value);
  };
  observe(metrics.cycleSeconds, seconds(start, end));
  observe(metrics.gateSeconds, seconds(cycle.admittedAt, cycle.gatedAt));
  observe(metrics.analysisSeconds, seconds(cycle.canaryStartedAt, end));
}
