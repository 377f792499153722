import { CANARY_HISTORY_LIMIT, type CanaryRecord, type RolloutAnalysis, type RolloutSpec, type RolloutStatus } from '../api/index.js';

/** The analyses a revision's canary runs: each analysis step's, then the background one. */
export function analysesOf(spec: Pick<RolloutSpec, 'strategy' | 'analysis'>): RolloutAnalysis[] {
  const steps = spec.strategy.canary.steps.flatMap((s) => (s.analysis ? [s.analysis] : []));
  return spec.analysis ? [...steps, spec.analysis] : steps;
}

/**
 * Appends the end of the current canary to status history (bounded, oldest dropped). A
 * repeat of the last record (same revision and outcome) is not appended twice.
 */
export function recordCanaryEnd(
  status: RolloutStatus,
  spec: Pick<RolloutSpec, 'strategy' | 'analysis'>,
  end: { outcome: CanaryRecord['outcome']; reason: string; at: string; stableRevision?: string },
): void {
  const revision = status.canaryRevision;
  if (!revision) return;
  const history = status.history ?? [];
  const last = history.at(-1);
  if (last && last.revision === revision && last.outcome === end.outcome) return;
  const analyses = analysesOf(spec);
  const runStarts = (status.analysisRuns ?? []).map((r) => r.startedAt).sort();
  const record: CanaryRecord = {
    revision,
    ...(end.stableRevision ? { stableRevision: end.stableRevision } : {}),
    ...(status.cycle?.canaryStartedAt ? { canaryStartedAt: status.cycle.canaryStartedAt } : {}),
    ...(runStarts[0] ? { analysisStartedAt: runStarts[0] } : {}),
    endedAt: end.at,
    outcome: end.outcome,
    reason: end.reason,
    ...(status.provenance?.origin ? { origin: status.provenance.origin } : {}),
    ...(analyses.length > 0 ? { analyses } : {}),
  };
  status.history = [...history, record].slice(-CANARY_HISTORY_LIMIT);
}
