import { CANARY_HISTORY_LIMIT, type CanaryRecord, type RolloutSpec, type RolloutStatus } from '../api/index.js';
import { BACKGROUND_RUN, stepRunName } from './steps.js';

type RecordedAnalysis = NonNullable<CanaryRecord['analyses']>[number];

/** The analyses the canary actually ran: each analysis step that started, then background analysis. */
function ranAnalyses(spec: Pick<RolloutSpec, 'strategy' | 'analysis'>, status: RolloutStatus): RecordedAnalysis[] {
  const runs = new Map((status.analysisRuns ?? []).map((r) => [r.name, r]));
  const out: RecordedAnalysis[] = [];
  spec.strategy.canary.steps.forEach((step, index) => {
    const run = runs.get(stepRunName(index));
    if (step.analysis && run) out.push({ ...step.analysis, stepIndex: index, startedAt: run.startedAt, phase: run.phase });
  });
  const background = runs.get(BACKGROUND_RUN);
  if (spec.analysis && background) out.push({ ...spec.analysis, startedAt: background.startedAt, phase: background.phase });
  return out;
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
  const analyses = ranAnalyses(spec, status);
  const firstStart = analyses.map((a) => a.startedAt).sort()[0];
  const record: CanaryRecord = {
    revision,
    ...(end.stableRevision ? { stableRevision: end.stableRevision } : {}),
    ...(status.cycle?.canaryStartedAt ? { canaryStartedAt: status.cycle.canaryStartedAt } : {}),
    ...(firstStart ? { analysisStartedAt: firstStart } : {}),
    endedAt: end.at,
    outcome: end.outcome,
    reason: end.reason,
    ...(status.provenance?.origin ? { origin: status.provenance.origin } : {}),
    ...(analyses.length > 0 ? { analyses } : {}),
  };
  status.history = [...history, record].slice(-CANARY_HISTORY_LIMIT);
}
