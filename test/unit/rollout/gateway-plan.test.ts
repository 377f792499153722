import { describe, expect, it } from 'vitest';
import type { CanaryStepInput } from '../../../src/api/index.js';
import { World } from './world.js';

const gatewayAPI = { httpRoutes: [{ name: 'app' }], service: 'app' };

function world(steps: CanaryStepInput[], extra: Record<string, unknown> = {}): World {
  const w = new World({ replicas: 4, strategy: { canary: { steps, traffic: { gatewayAPI } } }, ...extra });
  w.reconcile();
  w.revision = 'rev2';
  return w;
}

describe('planRollout through a Gateway', () => {
  it('runs setCanaryScale pods apart from the weight, stable keeping all of its pods', () => {
    const w = world([{ setCanaryScale: { replicas: 2 } }, { setWeight: 5 }, { pause: {} }]);
    const plan = w.settle();
    expect(plan.status.reason).toBe('PausedForPromotion');
    expect(w.replicasOf('rev2')).toBe(2);
    expect(w.replicasOf('rev1')).toBe(4);
    expect(w.route.canaryWeight).toBe(5);
    expect(plan.status.weights).toEqual({ canary: 5, stable: 95 });
  });

  it('moves the weight only once the canary pods are ready', () => {
    const w = world([{ setWeight: 50 }, { pause: {} }]);
    w.holdReadiness = true;
    let plan = w.settle();
    expect(plan.status.reason).toBe('WaitingForReplicas');
    expect(w.route.canaryWeight).toBe(0);
    w.holdReadiness = false;
    w.replicaSets.forEach((r) => (r.readyReplicas = r.replicas));
    plan = w.settle();
    expect(w.route.canaryWeight).toBe(50);
    expect(plan.status.weights?.canary).toBe(50);
  });

  it('counts a weight only once the Gateway accepted it, and pauses with the condition message when it does not', () => {
    const w = world([{ setWeight: 25 }, { pause: {} }]);
    w.routeAcceptsWith = 'Pending';
    let plan = w.settle();
    expect(plan.status.reason).toBe('WaitingForRoute');
    expect(plan.status.message).toMatch(/waiting for the Gateway to accept HTTPRoute app/);
    expect(plan.status.weights?.canary).toBe(0);

    w.route = { ...w.route, acceptance: 'NotAccepted', message: 'ResolvedRefs=False (BackendNotFound): service app-canary not found' };
    plan = w.reconcile();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('RouteNotAccepted');
    expect(plan.status.message).toMatch(/BackendNotFound\): service app-canary not found/);
    expect(plan.events.map((e) => e.reason)).toContain('RouteNotAccepted');

    w.route = { ...w.route, acceptance: 'Accepted' };
    plan = w.settle();
    expect(plan.status.reason).toBe('PausedForPromotion');
    expect(plan.status.weights?.canary).toBe(25);
  });

  it('sends a header route to a ready canary pod at weight 0 and removes it at promotion', () => {
    const w = world([{ setHeaderRoute: { name: 'testers', headers: [{ name: 'X-Canary', value: 'always' }] } }, { pause: {} }, { setWeight: 20 }]);
    let plan = w.settle();
    expect(plan.status.reason).toBe('PausedForPromotion');
    expect(w.route.canaryWeight).toBe(0);
    expect(w.route.headerRoutes).toEqual(['testers']);
    expect(w.replicasOf('rev2')).toBe(1);
    w.status = { ...w.status, operatorAction: { action: 'Promote', requestedAt: w.now.toISOString() } };
    plan = w.settle();
    expect(plan.status.phase).toBe('Healthy');
    expect(w.route).toMatchObject({ canaryWeight: 0, headerRoutes: [], stableRevision: 'rev2', canaryRevision: 'rev2' });
  });

  it('rolls back: flag first, weight to 0, and the canary pods go only once the route no longer sends them traffic', () => {
    const w = world([{ setWeight: 50 }, { pause: {} }], { flag: { key: 'f', source: { configMap: { name: 'flags' } } } });
    w.settle();
    expect(w.replicasOf('rev2')).toBe(2);
    w.routeAcceptsWith = 'Pending';
    w.status = { ...w.status, operatorAction: { action: 'Abort', requestedAt: w.now.toISOString() } };
    // The world applies the route write of this plan; the plan itself saw the route at 50.
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.actions).toEqual([{ type: 'killFlag' }]);
    expect(plan.traffic?.canaryWeight).toBe(0);
    expect(plan.replicaTargets.find((t) => t.revision === 'rev2')?.replicas).toBe(2);
    const next = w.reconcile();
    expect(next.replicaTargets.find((t) => t.revision === 'rev2')?.replicas).toBe(0);
  });

  it('pauses with the problem when the route or Services are misconfigured', () => {
    const w = world([{ setWeight: 25 }]);
    const observe = w.observe.bind(w);
    w.observe = () => {
      const o = observe();
      o.traffic!.routes[0]!.problem = 'not found in ns (the Gateway API CRDs must be installed and the route created)';
      return o;
    };
    const plan = w.settle();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('TrafficMisconfigured');
    expect(plan.status.message).toMatch(/HTTPRoute app: not found in ns/);
  });

  it('shows a route that is not wired in the TrafficRouted condition while Healthy, before a canary needs it', () => {
    const w = new World({ replicas: 4, strategy: { canary: { steps: [{ setWeight: 25 }], traffic: { gatewayAPI } } } });
    w.reconcile();
    let plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.conditions?.find((c) => c.type === 'TrafficRouted')).toMatchObject({ status: 'True', reason: 'RoutesAccepted' });
    const observe = w.observe.bind(w);
    w.observe = () => {
      const o = observe();
      o.traffic!.routes[0]!.problem = 'it has no parentRefs: attach it to a Gateway';
      return o;
    };
    plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.conditions?.find((c) => c.type === 'TrafficRouted')).toMatchObject({
      status: 'False',
      reason: 'TrafficMisconfigured',
      message: 'HTTPRoute app: it has no parentRefs: attach it to a Gateway',
    });
  });
});
