// Property-based checks of the rollout core over random histories of revisions,
// readiness, time, operator actions and analysis verdicts.
import fc from 'fast-check';
import { baselineOf } from '../../../src/rollout/baseline.js';
import { describe, expect, it } from 'vitest';
import type { AnalysisPhase, CanaryStep } from '../../../src/api/index.js';
import { canaryReplicaCount } from '../../../src/rollout/replica-split.js';
import { parseRolloutStatus } from '../../../src/rollout/state.js';
import { weightAt } from '../../../src/rollout/steps.js';
import { World } from './world.js';

const stepArb = fc.oneof(
  fc.record({ setWeight: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ pause: fc.option(fc.record({ duration: fc.constantFrom('1s', '5s', '1m') }), { nil: undefined }) }).map((p) => ({ pause: p.pause ?? {} })),
  fc.constant(null).map(() => ({ analysis: { templates: [{ name: 't', clusterScope: false }] } })),
  fc.record({ setFlag: fc.record({ percent: fc.integer({ min: 0, max: 100 }) }) }),
);

const eventArb = fc.oneof(
  fc.record({ kind: fc.constant('newRevision' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
  fc.record({ kind: fc.constant('hold' as const), hold: fc.boolean() }),
  fc.record({ kind: fc.constant('action' as const), action: fc.constantFrom('Promote', 'PromoteFull', 'Abort', 'Retry') }),
  fc.record({ kind: fc.constant('analysis' as const), phase: fc.constantFrom<AnalysisPhase>('Running', 'Successful', 'Failed', 'Inconclusive', 'Error') }),
  fc.record({ kind: fc.constant('gate' as const), passed: fc.boolean() }),
);

describe('rollout core invariants', () => {
  it('holds for any history', () => {
    let promotions = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(stepArb, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(eventArb, { maxLength: 40 }),
        (replicas, stepInputs, background, baseline, events) => {
          const steps: CanaryStep[] = stepInputs;
          const w = new World({
            replicas,
            strategy: { canary: { steps, baseline } },
            ...(background ? { analysis: { templates: [{ name: 'bg' }] } } : {}),
            flag: { key: 'f', source: { configMap: { name: 'flags' } } },
          });
          w.reconcile();
          let next = 2;
          for (const e of events) {
            if (e.kind === 'newRevision') w.revision = `rev${next++}`;
            else if (e.kind === 'advance') w.advance(e.ms);
            else if (e.kind === 'hold') w.holdReadiness = e.hold;
            else if (e.kind === 'gate') w.gate = e.passed ? { passed: true, findings: [] } : { passed: false, findings: [] };
            else if (e.kind === 'action') w.status = { ...w.status, operatorAction: { action: e.action, requestedAt: w.now.toISOString() } };
            else w.verdict(e.phase);
            const stableBefore = w.status.stableRevision;
            const plan = w.reconcile();
            w.analysisRuns = undefined;
            const s = plan.status;

            // Never more than one canary: besides stable, at most one revision runs pods,
            // not counting a replaced stable that is waiting out its scale-down delay.
            const running = w.replicaSets.filter((r) => r.replicas > 0 && r.revision !== s.stableRevision && !r.scaleDownAt && !baselineOf(r.revision));
            expect(running.length).toBeLessThanOrEqual(1);

            // A baseline runs only beside a canary in flight, never larger than the step's canary.
            const baselines = w.replicaSets.filter((r) => r.replicas > 0 && baselineOf(r.revision));
            if (s.phase !== 'Progressing' && s.phase !== 'Paused') expect(baselines).toEqual([]);
            if (!baseline) expect(baselines).toEqual([]);
            for (const b of baselines) {
              expect(b.revision).toBe(s.baselineRevision);
              expect(b.replicas).toBeLessThanOrEqual(canaryReplicaCount(replicas, weightAt(steps, s.currentStepIndex ?? 0)));
            }

            // The canary never exceeds the current step's weight.
            if (s.canaryRevision && s.canaryRevision !== s.stableRevision && s.phase !== 'Healthy') {
              const limit = canaryReplicaCount(replicas, weightAt(steps, s.currentStepIndex ?? 0));
              expect(w.replicasOf(s.canaryRevision)).toBeLessThanOrEqual(limit);
            }

            // No promotion while any analysis of the canary is failed, errored or inconclusive.
            if (s.stableRevision !== stableBefore && stableBefore !== undefined) {
              promotions++;
              const bad = (s.analysisRuns ?? []).filter((r) => ['Failed', 'Error', 'Inconclusive'].includes(r.phase));
              expect(bad).toEqual([]);
            }

            // Every status the core writes reads back as its phase's state, with nothing to repair.
            const parsed = parseRolloutStatus(s);
            expect(parsed.problem).toBeUndefined();
            expect(parsed.state.phase).toBe(s.stableRevision ? s.phase : 'NotAdopted');

            // A rollback leaves stable fully scaled and the canary at zero.
            const state = parsed.state;
            if (state.phase === 'Degraded') {
              expect(w.replicasOf(state.stable)).toBe(replicas);
              if (state.canary !== state.stable) expect(w.replicasOf(state.canary)).toBe(0);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // The histories must reach promotions, or the promotion invariant proves nothing.
    expect(promotions).toBeGreaterThan(10);
  });
});
