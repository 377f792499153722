// The imperative shell around the rollout core: read caches, ask the seams
// (gates, analysis), plan, execute, then write status once if it changed.
import type { V1Deployment, V1Namespace, V1ReplicaSet } from '@kubernetes/client-node';
import { rolloutSpecSchema, type RolloutSpec, type RolloutStatus } from '../api/index.js';
import type { EventRecorder, ReconcileContext, ReconcileResult, Reconciler, SharedInformer, StaleGuard, StatusWriter } from '../kube/index.js';
import { splitKey } from '../kube/resource.js';
import type { ObservedState } from '../rollout/observed.js';
import { analysisRequests, gateDue, isFastRollback, planRollout } from '../rollout/plan-rollout.js';
import type { Logger } from '../telemetry/logger.js';
import type { ControllerMetrics } from '../telemetry/metrics.js';
import { withSpan } from '../telemetry/tracing.js';
import type { ChangeLedger } from './change-ledger.js';
import type { PlanExecutor } from './execute-plan.js';
import { ownedBy, replicaSetView, workloadView } from './observe.js';
import { BY_OWNER } from './informers.js';
import { recordTransition } from './record-metrics.js';
import type { RolloutObject } from '../api/objects.js';
import { ROLLOUTS } from './resources.js';
import type { AnalysisRunner, GateEvaluator, RolloutIdentity } from '../rollout/seams.js';
import type { RouterFactory } from '../traffic/router.js';

/** How long to wait before re-reading a cache that has not caught up with our own write. */
const STALE_RETRY_MS = 250;

export interface RolloutCaches {
  rollouts: SharedInformer<RolloutObject>;
  deployments: SharedInformer<V1Deployment>;
  replicaSets: SharedInformer<V1ReplicaSet>;
  namespaces?: SharedInformer<V1Namespace>;
}

export interface RolloutReconcilerDeps {
  caches: RolloutCaches;
  statusWriter: StatusWriter;
  guard: StaleGuard;
  events: EventRecorder;
  executor: PlanExecutor;
  gates: GateEvaluator;
  analysis: AnalysisRunner;
  metrics: ControllerMetrics;
  logger: Logger;
  /** The change ledger; absent, no Change is kept. */
  ledger?: ChangeLedger;
  /** Traffic routers other than replicas (Gateway API); absent, only replicas. */
  routers?: RouterFactory;
  /** Whether this controller's shard reconciles a cached Rollout; absent, every one. */
  owns?: (obj: RolloutObject) => boolean;
  clock?: () => Date;
}

export class RolloutReconciler implements Reconciler {
  constructor(private readonly deps: RolloutReconcilerDeps) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    return withSpan('rollout.reconcile', { 'k8s.namespace.name': namespace ?? '', 'rollout.name': name }, async (span) => {
      const cached = this.deps.caches.rollouts.get(namespace, name);
      // Another shard's Rollout is left as if it were gone: its controller writes it.
      const obj = cached && (this.deps.owns?.(cached) ?? true) ? cached : undefined;
      if (!obj || !namespace) {
        this.deps.guard.forget(key);
        return {};
      }
      if (this.deps.guard.isStale(key, obj.metadata?.resourceVersion)) {
        span.setAttribute('rollout.stale_cache', true);
        return { requeueAfter: STALE_RETRY_MS };
      }
      const identity: RolloutIdentity = { name, namespace, uid: obj.metadata?.uid ?? '' };
      const status: RolloutStatus = obj.status ?? {};
      const parsed = rolloutSpecSchema.safeParse(obj.spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = ['spec', ...(issue?.path ?? [])].map(String).join('.');
        await this.writeStatus(
          obj,
          status,
          {
            ...status,
            phase: 'Degraded',
            reason: 'InvalidSpec',
            message: `${path}: ${issue?.message ?? 'invalid'}; fix the Rollout (clairvoyance lint shows every problem)`,
            observedGeneration: obj.metadata?.generation ?? 0,
          },
          ctx,
        );
        return {};
      }
      const spec = parsed.data;
      const log = this.deps.logger.child({ namespace, rollout: name });
      const decisionStarted = performance.now();
      const observed = await this.observe(identity, obj, spec, status, ctx.signal);
      span.setAttribute('rollout.revision', observed.workload?.revision ?? '');
      const plan = planRollout(observed);
      // The controller's own share of a reconcile: cache reads and planning, not the seams' I/O.
      this.deps.metrics.planDuration.observe((performance.now() - decisionStarted - observed.seamMs) / 1000);
      if (ctx.signal.aborted) return {};

      const deployment = this.deps.caches.deployments.get(namespace, spec.workloadRef.name);
      if (deployment && observed.workload) {
        await this.deps.executor.execute(plan, {
          signal: ctx.signal,
          rollout: identity,
          spec,
          deployment,
          desiredRevision: observed.workload.revision,
          replicaSets: observed.replicaSets,
        });
      }
      if (ctx.signal.aborted) return {};
      // Like every effect, before status: a failed write is retried with the next reconcile.
      if (plan.ledger.length > 0)
        await withSpan('ledger.record', { 'ledger.events': plan.ledger.length }, () => this.deps.ledger?.record(namespace, plan.ledger) ?? Promise.resolve());
      await this.writeStatus(obj, status, plan.status, ctx);
      recordTransition(this.deps.metrics, namespace, name, status, plan.status);
      for (const e of plan.events) {
        log.info({ revision: plan.status.canaryRevision, reason: e.reason, phase: plan.status.phase }, e.message);
        // Events are best-effort and never throw: recording them must not hold a worker.
        void this.deps.events.event(obj, e.type, e.reason, e.message);
      }
      const requeue = [plan.requeueAfterMs, observed.analysisRequeueMs].filter((v): v is number => v !== undefined);
      return requeue.length ? { requeueAfter: Math.max(Math.min(...requeue), 100) } : {};
    });
  }

  private async observe(
    identity: RolloutIdentity,
    obj: RolloutObject,
    spec: RolloutSpec,
    status: RolloutStatus,
    signal: AbortSignal,
  ): Promise<ObservedState & { analysisRequeueMs?: number; seamMs: number }> {
    const now = this.deps.clock?.() ?? new Date();
    const deployment = this.deps.caches.deployments.get(identity.namespace, spec.workloadRef.name);
    const replicaSets = this.deps.caches.replicaSets
      .byIndex(BY_OWNER, identity.uid)
      .filter((rs) => ownedBy(rs, identity.uid))
      .map(replicaSetView)
      .filter((v) => v !== undefined);
    const workload = deployment ? workloadView(deployment) : undefined;
    const observed: ObservedState & { analysisRequeueMs?: number; seamMs: number } = {
      seamMs: 0,
      now,
      rollout: { name: identity.name, namespace: identity.namespace, generation: obj.metadata?.generation ?? 0, spec, status },
      workload,
      replicaSets,
    };
    if (deployment && workload && gateDue(status, workload.revision)) {
      const t0 = performance.now();
      observed.gate = await withSpan('rollout.gates', { 'rollout.revision': workload.revision }, () =>
        this.deps.gates.evaluate({
          rollout: identity,
          spec,
          deployment,
          revision: workload.revision,
          namespace: this.deps.caches.namespaces?.get(undefined, identity.namespace),
          signal,
          fastRollback: status.canaryRevision === workload.revision ? status.fastRollback === true : isFastRollback(spec, status, workload.revision, now),
        }),
      );
      observed.seamMs += performance.now() - t0;
    }
    const router = this.deps.routers?.for(spec);
    if (router && workload) {
      const t0 = performance.now();
      observed.traffic = await withSpan('traffic.verify', {}, () => router.verify({ rollout: identity, spec, signal }));
      observed.seamMs += performance.now() - t0;
    }
    const requests = workload && status.canaryRevision === workload.revision ? analysisRequests(spec, status) : [];
    if (requests.length > 0) {
      const t0 = performance.now();
      const out = await this.deps.analysis.advance({ rollout: identity, spec, status, requests, now, signal });
      observed.seamMs += performance.now() - t0;
      observed.analysisRuns = out.runs;
      if (out.requeueAfterMs !== undefined) observed.analysisRequeueMs = out.requeueAfterMs;
    }
    return observed;
  }

  private async writeStatus(obj: RolloutObject, current: RolloutStatus, desired: RolloutStatus, ctx: ReconcileContext): Promise<void> {
    if (ctx.signal.aborted) return;
    const ref = { ...ROLLOUTS, namespace: obj.metadata!.namespace!, name: obj.metadata!.name! };
    const rv = obj.metadata?.resourceVersion;
    const written = await withSpan('kube.patch_status', { 'k8s.resource': 'rollouts' }, () =>
      this.deps.statusWriter.patchStatusIfChanged(ref, current, desired, rv ? { resourceVersion: rv } : {}),
    );
    if (written) this.deps.metrics.apiWrites.inc({ verb: 'patch', resource: 'rollouts/status' });
  }
}
