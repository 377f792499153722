// Property-based checks of the rollout core with the Gateway API router: over random
// histories of revisions, readiness, Gateway verdicts, analysis and operator actions,
// weight reaches the canary only through ready pods and an accepted route, and leaves it
// before its pods do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnalysisPhase, CanaryStepInput } from '../../../src/api/index.js';
import type { RouteAcceptance } from '../../../src/rollout/traffic.js';
import { parseRolloutStatus } from '../../../src/rollout/state.js';
import { World } from './world.js';

const stepArb: fc.Arbitrary<CanaryStepInput> = fc.oneof(
  { arbitrary: fc.record({ setWeight: fc.integer({ min: 0, max: 100 }) }), weight: 3 },
  fc.record({
    setCanaryScale: fc.oneof(fc.record({ replicas: fc.integer({ min: 0, max: 6 }) }), fc.constant<{ matchTrafficWeight: true }>({ matchTrafficWeight: true })),
  }),
  fc.record({
    setHeaderRoute: fc.record({
      name: fc.constantFrom('testers', 'cookie'),
      headers: fc.constantFrom<{ name: string; value: string }[]>([], [{ name: 'X-Canary', value: 'yes' }]),
    }),
  }),
  fc.constant<CanaryStepInput>({ pause: { duration: '5s' } }),
  fc.constant<CanaryStepInput>({ analysis: { templates: [{ name: 't' }] } }),
);

const eventArb = fc.oneof(
  // A reconcile with nothing new, as informer events and requeues bring.
  { arbitrary: fc.record({ kind: fc.constant('tick' as const) }), weight: 4 },
  fc.record({ kind: fc.constant('newRevision' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
  fc.record({ kind: fc.constant('hold' as const), hold: fc.boolean() }),
  fc.record({ kind: fc.constant('gateway' as const), acceptance: fc.constantFrom<RouteAcceptance>('Accepted', 'Pending', 'NotAccepted') }),
  fc.record({ kind: fc.constant('action' as const), action: fc.constantFrom('Promote', 'PromoteFull', 'Abort', 'Retry') }),
  fc.record({ kind: fc.constant('analysis' as const), phase: fc.constantFrom<AnalysisPhase>('Running', 'Successful', 'Failed', 'Inconclusive') }),
);

describe('rollout core invariants through a Gateway', () => {
  it('holds for any history', () => {
    let weighted = 0;
    let drained = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(stepArb, { maxLength: 6 }),
        fc.boolean(),
        fc.array(eventArb, { maxLength: 40 }),
        (replicas, steps, automatic, events) => {
          const w = new World({
            replicas,
            strategy: { canary: { steps, traffic: { gatewayAPI: { httpRoutes: [{ name: 'app' }], service: 'app' } } } },
            flag: { key: 'f', source: { configMap: { name: 'flags' } } },
            rollback: { automatic },
          });
          w.reconcile();
          let next = 2;
          for (const e of events) {
            if (e.kind === 'tick') {
              /* nothing changes but time's reconcile */
            } else if (e.kind === 'newRevision') w.revision = `rev${next++}`;
            else if (e.kind === 'advance') w.advance(e.ms);
            else if (e.kind === 'hold') w.holdReadiness = e.hold;
            else if (e.kind === 'gateway') {
              w.routeAcceptsWith = e.acceptance;
              w.route = { ...w.route, acceptance: e.acceptance, ...(e.acceptance === 'NotAccepted' ? { message: 'BackendNotFound' } : {}) };
            } else if (e.kind === 'action') w.status = { ...w.status, operatorAction: { action: e.action, requestedAt: w.now.toISOString() } };
            else w.verdict(e.phase);
            const before = { route: { ...w.route }, weight: w.status.weights?.canary ?? 0, canaryPods: w.replicasOf(w.route.canaryRevision ?? '') };
            const plan = w.reconcile();
            w.analysisRuns = undefined;
            const s = plan.status;

            // Weight and header routes reach only a revision with ready pods behind its Service.
            if (w.route.canaryRevision !== w.route.stableRevision && (w.route.canaryWeight > 0 || w.route.headerRoutes.length > 0)) {
              const ready = w.replicaSets.find((r) => r.revision === w.route.canaryRevision)?.readyReplicas ?? 0;
              expect(ready).toBeGreaterThan(0);
            }

            // A weight counts in status only once the Gateway accepted the route at that weight.
            const weight = s.weights?.canary ?? 0;
            if (weight > 0 && weight !== before.weight) {
              weighted++;
              expect(before.route.canaryWeight).toBe(weight);
              expect(before.route.acceptance).toBe('Accepted');
            }

            // Canary pods go only once the route no longer sends them traffic.
            const canary = before.route.canaryRevision;
            if (canary && canary !== before.route.stableRevision && before.canaryPods > 0 && w.replicasOf(canary) === 0) {
              drained++;
              expect(before.route.canaryWeight).toBe(0);
              expect(before.route.headerRoutes).toEqual([]);
            }

            // Every status the core writes reads back as its phase's state, with nothing to repair.
            const { state, problem } = parseRolloutStatus(s);
            expect(problem).toBeUndefined();

            // Outside a canary in flight, nothing is routed to a canary apart from stable.
            if (state.phase === 'Healthy') {
              expect(plan.traffic?.canaryWeight).toBe(0);
              expect(plan.traffic?.headerRoutes).toEqual([]);
              expect(plan.traffic?.canaryRevision).toBe(state.stable);
            }

            // A canary in flight or rolled back is what the routes' canary Service is asked to select.
            if (state.phase !== 'Healthy' && state.phase !== 'NotAdopted' && plan.traffic) {
              expect(plan.traffic.stableRevision).toBe(state.stable);
              expect(plan.traffic.canaryRevision).toBe(state.canary);
            }
          }
        },
      ),
      { numRuns: 600 },
    );
    // The histories must move weights and drain canaries, or the invariants prove nothing.
    expect(weighted).toBeGreaterThan(8);
    expect(drained).toBeGreaterThan(5);
  });
});
