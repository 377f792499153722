// A tiny in-memory world for the pure rollout core: applies each plan's replica
// targets to ReplicaSets, with readiness the test controls.
import { rolloutSpecSchema, type AnalysisRunStatus, type RolloutSpecInput, type RolloutStatus } from '../../../src/api/index.js';
import type { GateVerdict, ObservedState, ReplicaSetView } from '../../../src/rollout/observed.js';
import type { Plan } from '../../../src/rollout/plan.js';
import type { RouteAcceptance, TrafficView } from '../../../src/rollout/traffic.js';

/** One HTTPRoute and its two Services as a Gateway would report them. */
export interface SimulatedRoute {
  canaryWeight: number;
  headerRoutes: string[];
  stableRevision?: string;
  canaryRevision?: string;
  acceptance: RouteAcceptance;
  message?: string;
}
import { analysisRequests, planRollout } from '../../../src/rollout/plan-rollout.js';

export class World {
  now = new Date('2026-01-01T00:00:00Z');
  status: RolloutStatus = {};
  replicaSets: ReplicaSetView[] = [];
  revision = 'rev1';
  annotations: Record<string, string> = {};
  gate: GateVerdict | undefined = { passed: true, findings: [] };
  analysisRuns: AnalysisRunStatus[] | undefined;
  /** Ready pods appear immediately unless readiness is held. */
  holdReadiness = false;
  /** The Deployment's own replicas (its pods serve until handed over). */
  workloadReplicas = 0;
  plans: Plan[] = [];
  /** The Gateway's side (traffic.gatewayAPI): what it reports, and how it takes writes. */
  route: SimulatedRoute = { canaryWeight: 0, headerRoutes: [], acceptance: 'Accepted' };
  /** What a route write leaves as acceptance: Accepted at once, or Pending until the test says. */
  routeAcceptsWith: RouteAcceptance = 'Accepted';
  readonly spec;

  constructor(spec: Partial<RolloutSpecInput> = {}) {
    this.spec = rolloutSpecSchema.parse({
      replicas: 4,
      workloadRef: { kind: 'Deployment', name: 'app' },
      strategy: { canary: { steps: [] } },
      ...spec,
    });
  }

  observe(): ObservedState {
    return {
      now: this.now,
      rollout: { name: 'app', namespace: 'ns', generation: 1, spec: this.spec, status: this.status },
      workload: { revision: this.revision, replicas: this.workloadReplicas, templateAnnotations: this.annotations, selector: 'app=app' },
      replicaSets: this.replicaSets.map((r) => ({ ...r })),
      ...(this.gate ? { gate: this.gate } : {}),
      ...(this.analysisRuns ? { analysisRuns: this.analysisRuns } : {}),
      ...(this.spec.strategy.canary.traffic.gatewayAPI ? { traffic: this.trafficView() } : {}),
    };
  }

  trafficView(): TrafficView {
    const r = this.route;
    const ready = this.replicaSets.find((x) => x.revision === r.canaryRevision)?.readyReplicas ?? 0;
    return {
      routes: [
        { name: 'app', canaryWeights: [r.canaryWeight], headerRoutes: r.headerRoutes, acceptance: r.acceptance, ...(r.message ? { message: r.message } : {}) },
      ],
      stable: { name: 'app-stable', readyEndpoints: 0, ...(r.stableRevision ? { revision: r.stableRevision } : {}) },
      canary: { name: 'app-canary', readyEndpoints: ready, ...(r.canaryRevision ? { revision: r.canaryRevision } : {}) },
    };
  }

  reconcile(): Plan {
    const plan = planRollout(this.observe());
    this.plans.push(plan);
    if (plan.traffic) {
      const t = plan.traffic;
      const names = t.headerRoutes.map((h) => h.name);
      const changed = t.canaryWeight !== this.route.canaryWeight || names.join() !== this.route.headerRoutes.join();
      this.route = {
        ...this.route,
        canaryWeight: t.canaryWeight,
        headerRoutes: names,
        stableRevision: t.stableRevision,
        canaryRevision: t.canaryRevision,
        ...(changed ? { acceptance: this.routeAcceptsWith } : {}),
      };
    }
    for (const t of plan.replicaTargets) {
      let rs = this.replicaSets.find((r) => r.revision === t.revision);
      if (!rs) {
        if (t.replicas === 0) continue;
        rs = { name: `app-${t.revision}`, revision: t.revision, replicas: 0, readyReplicas: 0 };
        this.replicaSets.push(rs);
      }
      rs.replicas = t.replicas;
      if (t.scaleDownAt === null) delete rs.scaleDownAt;
      else if (t.scaleDownAt) rs.scaleDownAt = t.scaleDownAt;
      rs.readyReplicas = this.holdReadiness ? Math.min(rs.readyReplicas, rs.replicas) : rs.replicas;
    }
    if (plan.workloadReplicas !== undefined) this.workloadReplicas = plan.workloadReplicas;
    this.status = plan.status;
    return plan;
  }

  /** Reconciles until the plan stops changing status or asks for a timed requeue. */
  settle(max = 20): Plan {
    let plan = this.reconcile();
    for (let i = 0; i < max && plan.requeueAfterMs !== undefined && plan.requeueAfterMs <= 5_000; i++) plan = this.reconcile();
    return plan;
  }

  /** As the shell does: only the runs the core asks for are advanced, here all to one verdict. */
  verdict(phase: AnalysisRunStatus['phase']): void {
    this.analysisRuns = analysisRequests(this.spec, this.status).map((r) => ({
      name: r.runName,
      templates: ['t'],
      ...(r.stepIndex !== undefined ? { stepIndex: r.stepIndex } : {}),
      phase,
      startedAt: this.now.toISOString(),
      metrics: [],
    }));
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  replicasOf(revision: string): number {
    return this.replicaSets.find((r) => r.revision === revision)?.replicas ?? 0;
  }
}
