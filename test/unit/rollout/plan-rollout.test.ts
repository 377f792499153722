import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analysisRequests, gateDue } from '../../../src/rollout/plan-rollout.js';
import { World } from './world.js';

const steps = [{ setWeight: 25 }, { pause: { duration: '5s' } }, { setWeight: 50 }, { pause: {} }];

describe('planRollout', () => {
  it('adopts: the current template becomes stable with no canary', () => {
    const w = new World({ strategy: { canary: { steps } } });
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.stableRevision).toBe('rev1');
    expect(w.replicasOf('rev1')).toBe(4);
    expect(plan.events.map((e) => e.reason)).toContain('Adopted');
  });

  it('is Healthy at adoption, and Available only once the stable pods are ready', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.holdReadiness = true;
    const available = (): unknown => w.status.conditions?.find((c) => c.type === 'Available');
    let plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(available()).toMatchObject({ status: 'False', reason: 'ReadyReplicas', message: '0 of 4 pods ready' });
    w.replicaSets[0]!.readyReplicas = 3;
    plan = w.reconcile();
    expect(available()).toMatchObject({ status: 'False', message: '3 of 4 pods ready' });
    w.replicaSets[0]!.readyReplicas = 4;
    w.advance(5_000);
    plan = w.reconcile();
    expect(available()).toMatchObject({ status: 'True', message: '4 of 4 pods ready', lastTransitionTime: w.now.toISOString() });
    expect(plan.status.readyReplicas).toBe(4);
  });

  /** A canary with a baseline, running its analysis step. */
  function analysingWithBaseline(): World {
    const analysis = { templates: [{ name: 't', clusterScope: false }] };
    const w = new World({ replicas: 2, strategy: { canary: { steps: [{ setWeight: 1 }, { analysis }], baseline: true } } });
    w.reconcile();
    w.revision = 'rev2';
    for (let i = 0; i < 5 && w.status.reason !== 'AnalysisRunning'; i++) w.reconcile();
    expect(w.status.reason).toBe('AnalysisRunning');
    expect(w.replicasOf('rev1-baseline')).toBe(1);
    return w;
  }

  it('scales the baseline away in the reconcile that rolls the canary back', () => {
    const w = analysingWithBaseline();
    w.verdict('Failed');
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.baselineRevision).toBeUndefined();
    expect(w.replicasOf('rev1-baseline')).toBe(0);
    expect(w.replicasOf('rev1')).toBe(2);
  });

  it('scales the baseline away in the reconcile that promotes the canary', () => {
    const w = analysingWithBaseline();
    w.verdict('Successful');
    let plan = w.reconcile();
    for (let i = 0; i < 5 && plan.status.phase !== 'Healthy'; i++) plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.baselineRevision).toBeUndefined();
    expect(w.replicasOf('rev1-baseline')).toBe(0);
    expect(w.replicasOf('rev2')).toBe(2);
  });

  it('walks a new revision through weight, timed pause, weight and a pause that waits for promote', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.reconcile();
    w.revision = 'rev2';
    let plan = w.settle();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('TimedPause');
    expect(plan.status.currentStepIndex).toBe(1);
    expect(w.replicasOf('rev2')).toBe(1); // ceil(4 * 25%)
    expect(w.replicasOf('rev1')).toBe(3);
    expect(plan.requeueAfterMs).toBe(5_000);

    w.advance(2_000);
    plan = w.reconcile();
    expect(plan.status.currentStepIndex).toBe(1);
    expect(plan.requeueAfterMs).toBe(3_000);

    w.advance(3_000);
    plan = w.settle();
    expect(plan.status.currentStepIndex).toBe(3);
    expect(plan.status.reason).toBe('PausedForPromotion');
    expect(w.replicasOf('rev2')).toBe(2);
    expect(w.replicasOf('rev1')).toBe(2);

    w.status = { ...w.status, operatorAction: { action: 'Promote', requestedAt: w.now.toISOString() } };
    plan = w.settle();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.stableRevision).toBe('rev2');
    expect(plan.status.operatorAction).toBeUndefined();
    expect(w.replicasOf('rev2')).toBe(4);
    // The old stable keeps its pods until the scale-down delay passes.
    expect(w.replicasOf('rev1')).toBeGreaterThan(0);
    w.advance(30_000);
    w.reconcile();
    expect(w.replicasOf('rev1')).toBe(0);
  });

  it('resumes a timed pause from its stored start time', () => {
    const w = new World({ strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '1m' } }] } } });
    w.reconcile();
    w.revision = 'rev2';
    w.settle();
    const started = w.status.pauseStartedAt;
    w.advance(45_000);
    // A fresh core (as after a restart) sees only status: the remaining time is kept.
    const plan = w.reconcile();
    expect(plan.status.pauseStartedAt).toBe(started);
    expect(plan.requeueAfterMs).toBe(15_000);
  });

  it('blocks on a failed gate and creates no canary pod, then proceeds once the gate passes', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.reconcile();
    w.revision = 'rev2';
    w.gate = {
      passed: false,
      findings: [{ ruleId: 'require-flag', policy: 'ai', enforcement: 'Enforce', message: 'no flag', severity: 'error' }],
    };
    let plan = w.settle();
    expect(plan.status.phase).toBe('Blocked');
    expect(plan.status.findings?.[0]?.ruleId).toBe('require-flag');
    expect(w.replicasOf('rev2')).toBe(0);
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
    w.gate = { passed: true, findings: [] };
    plan = w.settle();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.cycle?.gatedAt).toBeDefined();
  });

  it('abort restores stable fully, sets Degraded, and retry restarts the canary', () => {
    const w = new World({ strategy: { canary: { steps } }, flag: { key: 'f', source: { configMap: { name: 'flags' } } } });
    w.reconcile();
    w.revision = 'rev2';
    w.settle();
    w.status = { ...w.status, operatorAction: { action: 'Abort', requestedAt: w.now.toISOString(), message: 'bad' } };
    let plan = w.settle();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.reason).toBe('Aborted');
    expect(plan.actions[0]).toEqual({ type: 'killFlag' });
    expect(w.replicasOf('rev1')).toBe(4);
    expect(w.replicasOf('rev2')).toBe(0);
    w.status = { ...w.status, operatorAction: { action: 'Retry', requestedAt: w.now.toISOString() } };
    plan = w.settle();
    expect(plan.status.phase).toBe('Paused');
    expect(w.replicasOf('rev2')).toBe(1);
  });

  it('a newer revision mid-rollout abandons the canary and starts over from stable', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.reconcile();
    w.revision = 'rev2';
    w.settle();
    expect(w.replicasOf('rev2')).toBe(1);
    w.revision = 'rev3';
    const plan = w.settle();
    expect(plan.status.canaryRevision).toBe('rev3');
    expect(plan.status.currentStepIndex).toBe(1);
    expect(w.replicasOf('rev2')).toBe(0);
    expect(w.replicasOf('rev3')).toBe(1);
    expect(plan.status.stableRevision).toBe('rev1');
  });

  it('rolls back when canary pods are not ready within the progress deadline', () => {
    const w = new World({ strategy: { canary: { steps } }, progressDeadlineSeconds: 60 });
    w.reconcile();
    w.holdReadiness = true;
    w.revision = 'rev2';
    w.settle();
    expect(w.status.phase).toBe('Progressing');
    w.advance(61_000);
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.reason).toBe('ProgressDeadlineExceeded');
    expect(w.replicasOf('rev1')).toBe(4);
  });

  it('analysis: success advances, inconclusive pauses, failure rolls back with the flag killed first', () => {
    const w = new World({
      strategy: { canary: { steps: [{ setWeight: 25 }, { analysis: { templates: [{ name: 'error-rate' }] } }, { setWeight: 50 }] } },
      flag: { key: 'f', source: { configMap: { name: 'flags' } } },
    });
    w.reconcile();
    w.revision = 'rev2';
    let plan = w.settle();
    expect(plan.status.reason).toBe('AnalysisRunning');
    expect(analysisRequests(w.spec, w.status)).toEqual([{ runName: 'step-1', stepIndex: 1 }]);
    const run = (phase: 'Inconclusive' | 'Failed' | 'Successful') => ({
      name: 'step-1',
      templates: ['error-rate'],
      stepIndex: 1,
      phase,
      startedAt: w.now.toISOString(),
      metrics: [],
      message: `error-rate ${phase}`,
    });
    w.analysisRuns = [run('Inconclusive')];
    plan = w.reconcile();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('AnalysisInconclusive');
    w.analysisRuns = [run('Failed')];
    plan = w.reconcile();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.actions).toContainEqual({ type: 'killFlag' });
    expect(w.replicasOf('rev2')).toBe(0);
    expect(w.replicasOf('rev1')).toBe(4);
  });

  it('rollback.automatic false: a failed analysis freezes the canary where it is, kills the flag once, and abort or retry act', () => {
    const w = new World({
      strategy: { canary: { steps: [{ setWeight: 25 }, { analysis: { templates: [{ name: 'error-rate' }] } }, { setWeight: 50 }] } },
      flag: { key: 'f', source: { configMap: { name: 'flags' } } },
      rollback: { automatic: false },
    });
    w.reconcile();
    w.revision = 'rev2';
    w.settle();
    const failed = {
      name: 'step-1',
      templates: ['error-rate'],
      stepIndex: 1,
      phase: 'Failed' as const,
      startedAt: w.now.toISOString(),
      metrics: [],
      message: 'error-rate 0.2 > 0.05',
    };
    w.analysisRuns = [failed];
    let plan = w.reconcile();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('AnalysisFailed');
    expect(plan.status.message).toContain('frozen (rollback.automatic: false) with the canary held at 25%');
    expect(plan.actions).toEqual([{ type: 'killFlag' }]);
    expect(plan.events.map((e) => e.reason)).toContain('Frozen');
    expect(plan.status.weights).toEqual({ canary: 25, stable: 75 });
    expect([w.replicasOf('rev1'), w.replicasOf('rev2')]).toEqual([3, 1]);
    // Held: later reconciles neither roll back nor kill the flag again.
    plan = w.reconcile();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.actions).toEqual([]);
    expect([w.replicasOf('rev1'), w.replicasOf('rev2')]).toEqual([3, 1]);
    // Promotion is refused while the analysis stands failed.
    w.status = { ...w.status, operatorAction: { action: 'Promote', requestedAt: w.now.toISOString() } };
    plan = w.reconcile();
    expect(plan.events.map((e) => e.reason)).toContain('PromotionRefused');
    // Retry runs the revision again from its gates.
    w.status = { ...w.status, operatorAction: { action: 'Retry', requestedAt: w.now.toISOString() } };
    w.analysisRuns = undefined;
    plan = w.settle();
    expect(plan.status.reason).toBe('AnalysisRunning');
    expect(plan.status.analysisRuns ?? []).toEqual([]);
    // Fails again, then abort rolls back.
    w.analysisRuns = [failed];
    w.reconcile();
    w.status = { ...w.status, operatorAction: { action: 'Abort', requestedAt: w.now.toISOString() } };
    w.analysisRuns = undefined;
    plan = w.settle();
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.status.reason).toBe('Aborted');
    expect([w.replicasOf('rev1'), w.replicasOf('rev2')]).toEqual([4, 0]);
  });

  it('rollback.automatic false: a passed progress deadline freezes instead of rolling back; killFlagWhenFrozen false leaves the flag', () => {
    const w = new World({
      strategy: { canary: { steps } },
      progressDeadlineSeconds: 60,
      flag: { key: 'f', source: { configMap: { name: 'flags' } } },
      rollback: { automatic: false, killFlagWhenFrozen: false },
    });
    w.reconcile();
    w.holdReadiness = true;
    w.revision = 'rev2';
    w.settle();
    w.advance(61_000);
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Paused');
    expect(plan.status.reason).toBe('ProgressDeadlineExceeded');
    expect(plan.actions).toEqual([]);
    expect(w.replicasOf('rev2')).toBe(1);
  });

  it('gateDue only for revisions that still need their gates', () => {
    expect(gateDue({}, 'a')).toBe(false);
    expect(gateDue({ stableRevision: 'a', canaryRevision: 'a', phase: 'Healthy' }, 'a')).toBe(false);
    expect(gateDue({ stableRevision: 'a', canaryRevision: 'a', phase: 'Healthy' }, 'b')).toBe(true);
    expect(gateDue({ stableRevision: 'a', canaryRevision: 'b', phase: 'Blocked' }, 'b')).toBe(true);
    expect(gateDue({ stableRevision: 'a', canaryRevision: 'b', phase: 'Progressing' }, 'b')).toBe(false);
  });
});

describe('adopting a running Deployment', () => {
  const ready = (w: World): number => w.replicaSets.reduce((n, rs) => n + rs.readyReplicas, 0);

  it('onsuccess (default): the Deployment keeps its pods until the stable ReplicaSet is fully ready, then goes to zero', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.workloadReplicas = 4;
    w.holdReadiness = true;
    let plan = w.reconcile();
    expect(plan.workloadReplicas).toBeUndefined();
    expect(w.replicasOf('rev1')).toBe(4);
    expect(plan.status.adopted).toBeUndefined();
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
    w.replicaSets[0]!.readyReplicas = 3;
    plan = w.reconcile();
    expect(w.workloadReplicas).toBe(4);
    w.replicaSets[0]!.readyReplicas = 4;
    plan = w.reconcile();
    expect(plan.workloadReplicas).toBe(0);
    expect(plan.status.adopted).toBe(true);
    expect(plan.events.map((e) => e.reason)).toContain('WorkloadScaledDown');
    // Afterwards a re-applied replica count is taken back to zero.
    w.workloadReplicas = 4;
    expect(w.reconcile().workloadReplicas).toBe(0);
  });

  it('progressively: the Deployment shrinks as the Rollout pods become ready; never: it is left alone', () => {
    const w = new World({ workloadRef: { kind: 'Deployment', name: 'app', scaleDown: 'progressively' } });
    w.workloadReplicas = 4;
    w.holdReadiness = true;
    w.reconcile();
    w.replicaSets[0]!.readyReplicas = 1;
    expect(w.reconcile().workloadReplicas).toBe(3);
    w.replicaSets[0]!.readyReplicas = 4;
    expect(w.reconcile().workloadReplicas).toBe(0);
    const n = new World({ workloadRef: { kind: 'Deployment', name: 'app', scaleDown: 'never' } });
    n.workloadReplicas = 4;
    for (let i = 0; i < 3; i++) expect(n.reconcile().workloadReplicas).toBeUndefined();
    expect(n.status.adopted).toBeUndefined();
  });

  it('never leaves fewer pods serving than the Rollout wants, whatever the readiness (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('onsuccess', 'progressively') as fc.Arbitrary<'onsuccess' | 'progressively'>,
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 }),
        (scaleDown, replicas, readiness) => {
          const w = new World({ replicas, workloadRef: { kind: 'Deployment', name: 'app', scaleDown } });
          w.workloadReplicas = replicas;
          w.holdReadiness = true;
          w.reconcile();
          for (const r of readiness) {
            const rs = w.replicaSets[0];
            if (rs) rs.readyReplicas = Math.min(r, rs.replicas);
            const before = w.workloadReplicas;
            const plan = w.reconcile();
            // Whenever adoption scales the Deployment down, what it keeps plus the Rollout's
            // ready pods covers the desired count (it never takes away pods that still serve).
            if (plan.workloadReplicas !== undefined && plan.workloadReplicas < before)
              expect(plan.workloadReplicas + ready(w)).toBeGreaterThanOrEqual(replicas);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('status counts say what they count', () => {
  it('replicas and readyReplicas cover stable and canary; updatedReplicas is the canary ready pods; canaryStartedAt is when gates passed', () => {
    const w = new World({ strategy: { canary: { steps } } });
    w.reconcile();
    w.revision = 'rev2';
    w.holdReadiness = true;
    w.settle();
    const canary = w.replicaSets.find((r) => r.revision === 'rev2')!;
    expect(canary.replicas).toBe(1);
    canary.readyReplicas = 0;
    // Counted as observed when the reconcile starts (a surge pod included).
    const observed = w.replicaSets.filter((r) => r.revision === 'rev1' || r.revision === 'rev2').reduce((n, r) => n + r.replicas, 0);
    let plan = w.reconcile();
    expect(plan.status.updatedReplicas).toBe(0);
    expect(plan.status.replicas).toBe(observed);
    canary.readyReplicas = 1;
    const ready = w.replicaSets.filter((r) => r.revision === 'rev1' || r.revision === 'rev2').reduce((n, r) => n + r.readyReplicas, 0);
    plan = w.reconcile();
    expect(plan.status.updatedReplicas).toBe(1);
    expect(plan.status.readyReplicas).toBe(ready);
    expect(plan.status.cycle?.canaryStartedAt).toBe(plan.status.cycle?.gatedAt);
  });

  describe('strategy.canary.baseline', () => {
    const baselineSteps = [{ setWeight: 25 }, { pause: {} }];

    it('starts a baseline of the stable template at the canary size, taking its share from stable once it serves', () => {
      const w = new World({ strategy: { canary: { steps: baselineSteps, baseline: true } } });
      w.reconcile();
      w.revision = 'rev2';
      w.holdReadiness = true;
      let plan = w.settle();
      // Not ready yet: stable keeps all it had beside the new canary and baseline.
      expect(plan.status.reason).toBe('WaitingForReplicas');
      expect(plan.status.message).toContain('1 baseline');
      expect(w.replicasOf('rev1-baseline')).toBe(1);
      expect(w.replicasOf('rev1')).toBe(4);
      w.holdReadiness = false;
      plan = w.settle();
      expect(plan.status.reason).toBe('PausedForPromotion');
      expect(plan.status.baselineRevision).toBe('rev1-baseline');
      expect(w.replicasOf('rev2')).toBe(1);
      expect(w.replicasOf('rev1-baseline')).toBe(1);
      expect(w.replicasOf('rev1')).toBe(2);
    });

    it('scales the baseline away at promotion and at rollback', () => {
      const w = new World({ strategy: { canary: { steps: baselineSteps, baseline: true } } });
      w.reconcile();
      w.revision = 'rev2';
      w.settle();
      w.status = { ...w.status, operatorAction: { action: 'Promote', requestedAt: w.now.toISOString() } };
      let plan = w.settle();
      expect(plan.status.phase).toBe('Healthy');
      expect(plan.status.baselineRevision).toBeUndefined();
      expect(w.replicasOf('rev1-baseline')).toBe(0);

      w.revision = 'rev3';
      w.settle();
      expect(w.replicasOf('rev2-baseline')).toBe(1);
      w.status = { ...w.status, operatorAction: { action: 'Abort', requestedAt: w.now.toISOString() } };
      plan = w.settle();
      expect(plan.status.phase).toBe('Degraded');
      expect(plan.status.baselineRevision).toBeUndefined();
      expect(w.replicasOf('rev2-baseline')).toBe(0);
      expect(w.replicasOf('rev2')).toBe(4);
    });

    it('runs no baseline unless asked', () => {
      const w = new World({ strategy: { canary: { steps: baselineSteps } } });
      w.reconcile();
      w.revision = 'rev2';
      const plan = w.settle();
      expect(plan.status.baselineRevision).toBeUndefined();
      expect(w.replicasOf('rev1-baseline')).toBe(0);
    });
  });
});
