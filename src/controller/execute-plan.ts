// Carries out a plan in the order its effects' types fix (EFFECT_ORDER in
// src/rollout/plan.ts): flag actions first (the kill switch acts before pods move), then
// traffic (weight leaves the canary before its pods do), then ReplicaSet counts, then the
// Deployment; the ledger and status are written after by the reconciler, so a failed
// effect is retried before progress is recorded.
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { API_VERSION, REVISION_LABEL, ROLLOUT_KIND, ROLLOUT_LABEL, SCALE_DOWN_AT_ANNOTATION, type RolloutSpec } from '../api/index.js';
import { isAlreadyExists } from '../kube/errors.js';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { APPS_DEPLOYMENTS, APPS_REPLICASETS } from '../kube/resource.js';
import { baselineOf } from '../rollout/baseline.js';
import type { Plan, ReplicaTarget } from '../rollout/plan.js';
import type { ReplicaSetView } from '../rollout/observed.js';
import { withSpan } from '../telemetry/tracing.js';
import type { ControllerMetrics } from '../telemetry/metrics.js';
import type { FlagDriver, RolloutIdentity } from '../rollout/seams.js';
import type { RouterFactory } from '../traffic/router.js';

/** The workload calls a plan makes; an interface so tests can record them. */
export interface WorkloadApi {
  deployments: Pick<ResourceClient<V1Deployment>, 'patch'>;
  replicaSets: Pick<ResourceClient<V1ReplicaSet>, 'get' | 'create' | 'patch'>;
}

export function workloadApi(kc: KubeConfigLike): WorkloadApi {
  return { deployments: ResourceClient.of<V1Deployment>(kc, APPS_DEPLOYMENTS), replicaSets: ResourceClient.of<V1ReplicaSet>(kc, APPS_REPLICASETS) };
}

export interface ExecutionContext {
  /** Aborted once the lease is lost or the controller stops: no effect is started after that. */
  signal?: AbortSignal;
  rollout: RolloutIdentity;
  spec: RolloutSpec;
  deployment: V1Deployment;
  desiredRevision: string;
  replicaSets: ReplicaSetView[];
}

export class PlanExecutor {
  constructor(
    private readonly api: WorkloadApi,
    private readonly flags: FlagDriver,
    private readonly metrics: ControllerMetrics,
    private readonly routers?: RouterFactory,
  ) {}

  async execute(plan: Plan, ctx: ExecutionContext): Promise<void> {
    const target = { rollout: ctx.rollout, spec: ctx.spec, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    for (const action of plan.actions) {
      ctx.signal?.throwIfAborted();
      switch (action.type) {
        case 'killFlag':
          await withSpan('flag.kill', { 'rollout.name': ctx.rollout.name }, () => this.flags.kill(target));
          break;
        case 'setFlag':
          await withSpan('flag.set', { 'rollout.name': ctx.rollout.name, percent: action.percent }, () => this.flags.setPercent(target, action.percent));
          break;
        case 'promoteFlag':
          await withSpan('flag.promote', { 'rollout.name': ctx.rollout.name }, () => this.flags.promote(target));
          break;
      }
    }
    const router = this.routers?.for(ctx.spec);
    if (plan.traffic && router) {
      ctx.signal?.throwIfAborted();
      const desired = plan.traffic;
      await withSpan('traffic.apply', { 'rollout.name': ctx.rollout.name, 'canary.weight': desired.canaryWeight }, () => router.apply(target, desired));
    }
    for (const t of plan.replicaTargets) {
      ctx.signal?.throwIfAborted();
      await this.applyTarget(t, ctx);
    }
    ctx.signal?.throwIfAborted();
    // Last: the Deployment's own pods go only once the Rollout's pods are in place.
    if (plan.workloadReplicas !== undefined && ctx.deployment.spec?.replicas !== plan.workloadReplicas) {
      const replicas = plan.workloadReplicas;
      await this.write('patch', 'deployments', () => this.api.deployments.patch(ctx.rollout.namespace, ctx.deployment.metadata!.name!, { spec: { replicas } }));
    }
  }

  private async applyTarget(t: ReplicaTarget, ctx: ExecutionContext): Promise<void> {
    const existing = ctx.replicaSets.find((r) => r.revision === t.revision);
    if (!existing) {
      if (t.replicas === 0) return;
      const stable = baselineOf(t.revision);
      if (stable !== undefined) {
        await this.create(t, ctx, await this.stableTemplate(stable, ctx));
        return;
      }
      // Only the Deployment's current template can be rebuilt; an older revision's RS is gone for good.
      if (t.revision !== ctx.desiredRevision) throw new Error(`ReplicaSet for revision ${t.revision} is missing and its template is no longer known`);
      await this.create(t, ctx);
      return;
    }
    const annotationChange =
      t.scaleDownAt === null ? existing.scaleDownAt !== undefined : t.scaleDownAt !== undefined && t.scaleDownAt !== existing.scaleDownAt;
    if (existing.replicas === t.replicas && !annotationChange) return;
    const body: { spec: { replicas: number }; metadata?: { annotations: Record<string, string | null> } } = { spec: { replicas: t.replicas } };
    if (annotationChange) body.metadata = { annotations: { [SCALE_DOWN_AT_ANNOTATION]: t.scaleDownAt ?? null } };
    await this.write('patch', 'replicasets', () => this.api.replicaSets.patch(ctx.rollout.namespace, existing.name, body));
  }

  /** The baseline's pods are the stable ReplicaSet's: its template, read when the baseline starts. */
  private async stableTemplate(stable: string, ctx: ExecutionContext): Promise<V1PodTemplateSpec> {
    const rs = ctx.replicaSets.find((r) => r.revision === stable);
    if (!rs) throw new Error(`baseline: the stable ReplicaSet of revision ${stable} is missing, so there is no template to start a baseline from`);
    const full = await this.api.replicaSets.get(ctx.rollout.namespace, rs.name);
    return full.spec?.template ?? {};
  }

  private async create(t: ReplicaTarget, ctx: ExecutionContext, template?: V1PodTemplateSpec): Promise<void> {
    const rs = buildReplicaSet(ctx, t, template);
    try {
      await this.write('create', 'replicasets', () => this.api.replicaSets.create(ctx.rollout.namespace, rs));
    } catch (err) {
      // The cache had not shown our earlier create yet: scale the one that exists.
      if (!isAlreadyExists(err)) throw err;
      await this.write('patch', 'replicasets', () => this.api.replicaSets.patch(ctx.rollout.namespace, rs.metadata!.name!, { spec: { replicas: t.replicas } }));
    }
  }

  private async write<T>(verb: string, resource: string, fn: () => Promise<T>): Promise<T> {
    this.metrics.apiWrites.inc({ verb, resource });
    return withSpan(`kube.${verb}`, { 'k8s.resource': resource }, fn);
  }
}

/** One ReplicaSet per revision: the Deployment's template plus a revision label that keeps revisions' pods apart. */
export function buildReplicaSet(ctx: ExecutionContext, t: ReplicaTarget, from?: V1PodTemplateSpec): V1ReplicaSet {
  const template = structuredClone(from ?? ctx.deployment.spec?.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [REVISION_LABEL]: t.revision } };
  const selector = structuredClone(ctx.deployment.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [REVISION_LABEL]: t.revision };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${ctx.rollout.name}-${t.revision}`,
      namespace: ctx.rollout.namespace,
      labels: { ...template.metadata.labels, [ROLLOUT_LABEL]: ctx.rollout.name },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: ROLLOUT_KIND, name: ctx.rollout.name, uid: ctx.rollout.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { replicas: t.replicas, selector, template },
  };
}
