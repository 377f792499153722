// Advances the analysis runs the rollout core asks for: resolves templates,
// takes the measurements that are due and folds them into run status.
import {
  applyMeasurement,
  measurementFromError,
  newRunStatus,
  nextMeasurementDue,
  providerFor,
  resolveAnalysis,
  takeMeasurement,
  updateRunMetric,
  type CredentialSource,
  type Credentials,
  type MeasurementResult,
  type MetricSpec,
  type MetricStatus,
  type ProviderSource,
  type ResolvedAnalysis,
  type TemplateSource,
  type SignalOptions,
} from '../analysis/index.js';
import type { AnalysisRunStatus, RolloutAnalysis } from '../api/index.js';
import type { AnalysisRequest } from '../rollout/plan-rollout.js';
import { BACKGROUND_RUN } from '../rollout/steps.js';
import type { ControllerMetrics } from '../telemetry/metrics.js';
import { withSpan } from '../telemetry/tracing.js';
import type { AnalysisInput, AnalysisOutput, AnalysisRunner } from '../rollout/seams.js';

export type { TemplateSource } from '../analysis/index.js';

/** How soon an inconclusive run is retried, so a rollout resumes once evidence returns. */
const INCONCLUSIVE_RETRY_MS = 10_000;

export class EngineAnalysisRunner implements AnalysisRunner {
  constructor(
    private readonly templates: TemplateSource,
    private readonly providers: ProviderSource,
    private readonly metrics: ControllerMetrics,
    private readonly signals: Omit<SignalOptions, 'flagKey'> = {},
    /** Reads the Secrets templates name; cluster templates' Secrets live in the controller's namespace. */
    private readonly credentials?: { source: CredentialSource; controllerNamespace: string },
  ) {}

  async advance(input: AnalysisInput): Promise<AnalysisOutput> {
    const runs: AnalysisRunStatus[] = [];
    let requeueAfterMs: number | undefined;
    const soonest = (ms: number): void => {
      requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
    };
    for (const request of input.requests) {
      const spec = analysisFor(input.spec, request);
      if (!spec) continue;
      const resolved = resolveAnalysis(this.templates, input.rollout.namespace, spec);
      const previous = (input.status.analysisRuns ?? []).find((r) => r.name === request.runName);
      if (typeof resolved === 'string') {
        runs.push(errorRun(request, previous, resolved, input.now));
        continue;
      }
      let run = previous ?? this.start(request, resolved, input.now);
      if (run.phase === 'Inconclusive') {
        const last = lastMeasurementAt(run);
        if (input.now.getTime() - last < INCONCLUSIVE_RETRY_MS) {
          soonest(INCONCLUSIVE_RETRY_MS - (input.now.getTime() - last));
          runs.push(run);
          continue;
        }
        // Evidence may be back: start a fresh attempt rather than stay paused forever.
        run = this.start(request, resolved, input.now);
      }
      const startedAt = new Date(run.startedAt);
      const due: { metric: MetricSpec; status: MetricStatus | undefined }[] = [];
      for (const metric of resolved.metrics) {
        const status = run.metrics.find((m) => m.name === metric.name);
        const when = nextMeasurementDue(metric, status, input.now, startedAt);
        if (!when) continue;
        if (when.due) due.push({ metric, status });
        else soonest(when.delayMs);
      }
      // The metrics of one run are measured together: a slow Prometheus costs one timeout, not one per metric.
      const measured = await Promise.all(
        due.map(async ({ metric, status }) => {
          const measuredAt = new Date();
          const result = await this.measure(metric, resolved, input, startedAt);
          return { metric, status, result, timing: { startedAt: measuredAt, finishedAt: new Date() } };
        }),
      );
      for (const { metric, status, result, timing } of measured) {
        const next = applyMeasurement(metric, status, result, timing, { background: request.stepIndex === undefined });
        run = updateRunMetric(run, next);
        const value = Number(result.value);
        if (result.value !== undefined && Number.isFinite(value)) {
          this.metrics.analysisValue.set({ namespace: input.rollout.namespace, rollout: input.rollout.name, metric: metric.name }, value);
        }
        const again = nextMeasurementDue(metric, next, new Date(), startedAt);
        if (again) soonest(again.delayMs);
      }
      runs.push(run);
    }
    return { runs, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  }

  /** One measurement; an unusable provider is an Error measurement naming template, metric and field. */
  private async measure(metric: MetricSpec, resolved: ResolvedAnalysis, input: AnalysisInput, startedAt: Date): Promise<MeasurementResult> {
    const where = `${resolved.templateOf[metric.name] ?? 'template'}, metric "${metric.name}"`;
    let credentials: Credentials | undefined;
    const auth = metric.provider.prometheus?.authentication;
    if (auth && this.credentials) {
      const namespace = resolved.clusterScoped[metric.name] ? this.credentials.controllerNamespace : input.rollout.namespace;
      try {
        credentials = await this.credentials.source.resolve(namespace, auth, input.signal);
      } catch (err) {
        const failed = measurementFromError(err);
        return { ...failed, message: `${where}: ${failed.message ?? 'credentials unavailable'}` };
      }
    }
    const built = providerFor(this.providers, metric, credentials);
    if ('error' in built) return { ...built.error, message: `${where}: ${built.error.message ?? 'unusable provider'}` };
    return withSpan('analysis.measure', { 'rollout.name': input.rollout.name, 'analysis.metric': metric.name }, () =>
      takeMeasurement(metric, built.provider, {
        templating: {
          args: resolved.args,
          rollout: { name: input.rollout.name, namespace: input.rollout.namespace },
          ...(input.status.canaryRevision ? { canaryRevision: input.status.canaryRevision } : {}),
          ...(input.status.stableRevision ? { stableRevision: input.status.stableRevision } : {}),
        },
        ...(input.status.baselineRevision ? { baselineRevision: input.status.baselineRevision } : {}),
        now: input.now,
        runStartedAt: startedAt,
        signals: { ...this.signals, ...(input.spec.flag ? { flagKey: input.spec.flag.key } : {}) },
        // The reconcile's signal: a lost lease or a shutdown cancels queries in flight.
        ...(input.signal ? { signal: input.signal } : {}),
      }),
    );
  }

  private start(request: AnalysisRequest, resolved: ResolvedAnalysis, now: Date): AnalysisRunStatus {
    return newRunStatus({
      name: request.runName,
      templates: resolved.templates,
      ...(request.stepIndex !== undefined ? { stepIndex: request.stepIndex } : {}),
      metrics: resolved.metrics,
      now,
    });
  }
}

function analysisFor(spec: AnalysisInput['spec'], request: AnalysisRequest): RolloutAnalysis | undefined {
  if (request.runName === BACKGROUND_RUN) return spec.analysis;
  return request.stepIndex === undefined ? undefined : spec.strategy.canary.steps[request.stepIndex]?.analysis;
}

function lastMeasurementAt(run: AnalysisRunStatus): number {
  let last = Date.parse(run.startedAt);
  for (const m of run.metrics) {
    const t = m.measurements.at(-1);
    if (t) last = Math.max(last, Date.parse(t.finishedAt ?? t.startedAt));
  }
  return last;
}

function errorRun(request: AnalysisRequest, previous: AnalysisRunStatus | undefined, message: string, now: Date): AnalysisRunStatus {
  return {
    name: request.runName,
    templates: previous?.templates ?? [],
    ...(request.stepIndex !== undefined ? { stepIndex: request.stepIndex } : {}),
    phase: 'Error',
    startedAt: previous?.startedAt ?? now.toISOString(),
    message,
    metrics: previous?.metrics ?? [],
  };
}
