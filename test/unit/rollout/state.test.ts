// The status is parsed once into a state keyed by phase; a status that does not read as
// its phase says (hand-edited, or from an older version) is repaired, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RolloutStatus } from '../../../src/api/index.js';
import { canaryOf, parseRolloutStatus, type ParsedStatus } from '../../../src/rollout/state.js';
import { World } from './world.js';

const at = '2026-01-01T00:00:00.000Z';

describe('parseRolloutStatus', () => {
  const cases: [string, RolloutStatus, ParsedStatus][] = [
    ['an empty status: not adopted', {}, { state: { phase: 'NotAdopted' } }],
    ['Degraded before adoption (no Deployment yet)', { phase: 'Degraded', reason: 'WorkloadNotFound' }, { state: { phase: 'NotAdopted' } }],
    ['an empty stable revision: not adopted', { phase: 'Healthy', stableRevision: '' }, { state: { phase: 'NotAdopted' } }],
    ['Healthy', { phase: 'Healthy', stableRevision: 'a', canaryRevision: 'a' }, { state: { phase: 'Healthy', stable: 'a' } }],
    ['Healthy without a canary', { phase: 'Healthy', stableRevision: 'a' }, { state: { phase: 'Healthy', stable: 'a' } }],
    ['Gating', { phase: 'Gating', stableRevision: 'a', canaryRevision: 'b' }, { state: { phase: 'Gating', stable: 'a', canary: 'b' } }],
    ['Blocked', { phase: 'Blocked', stableRevision: 'a', canaryRevision: 'b' }, { state: { phase: 'Blocked', stable: 'a', canary: 'b' } }],
    [
      'Progressing',
      { phase: 'Progressing', stableRevision: 'a', canaryRevision: 'b', currentStepIndex: 2, stepStartedAt: at },
      { state: { phase: 'Progressing', stable: 'a', canary: 'b', stepIndex: 2, stepStartedAt: at } },
    ],
    [
      'Paused, from a status that never timed its steps',
      { phase: 'Paused', stableRevision: 'a', canaryRevision: 'b' },
      { state: { phase: 'Paused', stable: 'a', canary: 'b', stepIndex: 0, stepStartedAt: undefined } },
    ],
    ['Degraded', { phase: 'Degraded', stableRevision: 'a', canaryRevision: 'b' }, { state: { phase: 'Degraded', stable: 'a', canary: 'b' } }],
    [
      'Degraded on stable (the Deployment went away)',
      { phase: 'Degraded', stableRevision: 'a', canaryRevision: 'a' },
      { state: { phase: 'Degraded', stable: 'a', canary: 'a' } },
    ],
    ['an older status without a phase', { stableRevision: 'a', canaryRevision: 'a' }, { state: { phase: 'Healthy', stable: 'a' } }],
  ];
  it.each(cases)('%s', (_, status, want) => {
    expect(parseRolloutStatus(status)).toEqual(want);
  });

  const malformed: [string, RolloutStatus, string][] = [
    ['Progressing without a canary', { phase: 'Progressing', stableRevision: 'a', currentStepIndex: 1 }, 'phase Progressing without a canary revision'],
    ['Paused without a canary', { phase: 'Paused', stableRevision: 'a' }, 'phase Paused without a canary revision'],
    ['Gating without a canary', { phase: 'Gating', stableRevision: 'a' }, 'phase Gating without a canary revision'],
    ['Blocked with an empty canary', { phase: 'Blocked', stableRevision: 'a', canaryRevision: '' }, 'phase Blocked without a canary revision'],
    ['Degraded without a canary', { phase: 'Degraded', stableRevision: 'a' }, 'phase Degraded without a canary revision'],
    ['Healthy beside another canary', { phase: 'Healthy', stableRevision: 'a', canaryRevision: 'b' }, 'phase Healthy names canary b beside stable a'],
    [
      'a negative step',
      { phase: 'Progressing', stableRevision: 'a', canaryRevision: 'b', currentStepIndex: -1 },
      'phase Progressing at step -1, not a step index',
    ],
    [
      'a step that is not a number',
      { phase: 'Paused', stableRevision: 'a', canaryRevision: 'b', currentStepIndex: '2' as unknown as number },
      'phase Paused at step 2, not a step index',
    ],
    [
      'a step start that is not a time',
      { phase: 'Progressing', stableRevision: 'a', canaryRevision: 'b', stepStartedAt: 'soon' },
      'stepStartedAt soon is not a time',
    ],
    ['an unknown phase', { phase: 'Promoting' as RolloutStatus['phase'], stableRevision: 'a', canaryRevision: 'b' }, 'unknown phase Promoting'],
    ['no phase beside a canary', { stableRevision: 'a', canaryRevision: 'b' }, 'no phase, with canary b'],
  ];
  it.each(malformed)('%s reads as Healthy on stable, naming the problem', (_, status, problem) => {
    expect(parseRolloutStatus(status)).toEqual({ state: { phase: 'Healthy', stable: 'a' }, problem });
  });

  it('never throws, whatever the status holds', () => {
    const value = fc.oneof(fc.constant(undefined), fc.string(), fc.integer(), fc.constant(null), fc.boolean());
    const status = fc.record(
      {
        phase: fc.oneof(fc.constantFrom('Gating', 'Progressing', 'Paused', 'Healthy', 'Degraded', 'Blocked'), value),
        stableRevision: fc.oneof(fc.constantFrom('a', 'b'), value),
        canaryRevision: fc.oneof(fc.constantFrom('a', 'b'), value),
        currentStepIndex: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), value),
        stepStartedAt: fc.oneof(fc.constant(at), value),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(status, (s) => {
        const { state } = parseRolloutStatus(s as RolloutStatus);
        if (state.phase !== 'NotAdopted') expect(typeof state.stable).toBe('string');
        if (state.phase !== 'NotAdopted' && state.phase !== 'Healthy') expect(typeof canaryOf(state)).toBe('string');
      }),
    );
  });

  it('names the canary a state stands for', () => {
    expect(canaryOf({ phase: 'NotAdopted' })).toBeUndefined();
    expect(canaryOf({ phase: 'Healthy', stable: 'a' })).toBe('a');
    expect(canaryOf({ phase: 'Blocked', stable: 'a', canary: 'b' })).toBe('b');
  });
});

describe('the planner on a status that does not parse', () => {
  /** A Rollout of rev1 whose status was hand-edited (or written by an older version). */
  function worldWith(status: RolloutStatus, revision = 'rev2'): World {
    const w = new World({ strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } });
    w.settle();
    w.revision = revision;
    w.status = { ...w.status, ...status };
    return w;
  }

  it('restarts the revision from Gating, with a warning naming the problem', () => {
    const w = worldWith({ phase: 'Progressing', canaryRevision: undefined, currentStepIndex: 1 });
    const plan = w.reconcile();
    expect(plan.events[0]).toEqual({
      type: 'Warning',
      reason: 'StatusUnreadable',
      message: 'status unreadable (phase Progressing without a canary revision): revision rev2 starts over from Gating',
    });
    expect(plan.events.map((e) => e.reason)).toContain('NewRevision');
    expect(plan.status.canaryRevision).toBe('rev2');
    expect(plan.status.stableRevision).toBe('rev1');
    // The gate passed at once, so the canary is at its first step; the stable keeps its pods meanwhile.
    expect(plan.status.phase).toBe('Progressing');
    expect(plan.status.currentStepIndex).toBe(0);
    expect(parseRolloutStatus(plan.status).problem).toBeUndefined();
  });

  it('restarts a canary in a Healthy status that names it', () => {
    const w = worldWith({ phase: 'Healthy', canaryRevision: 'rev2' });
    w.gate = undefined;
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Gating');
    expect(plan.status.canaryRevision).toBe('rev2');
    expect(plan.replicaTargets).toContainEqual({ revision: 'rev1', replicas: 4, scaleDownAt: null });
  });

  it('settles on stable when the template is the stable one', () => {
    const w = worldWith({ phase: 'Paused', canaryRevision: undefined }, 'rev1');
    const plan = w.reconcile();
    expect(plan.events[0]?.message).toBe('status unreadable (phase Paused without a canary revision): settling on stable rev1');
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.canaryRevision).toBe('rev1');
  });

  it('adopts when no stable revision is known', () => {
    const w = worldWith({ phase: 'Progressing', stableRevision: undefined, canaryRevision: 'rev2' });
    const plan = w.reconcile();
    expect(plan.status.phase).toBe('Healthy');
    expect(plan.status.stableRevision).toBe('rev2');
    expect(plan.events.map((e) => e.reason)).toContain('Adopted');
  });

  it('never throws, and always writes a status that parses', () => {
    const revision = fc.constantFrom<string | undefined>('rev1', 'rev2', 'rev3', '', undefined);
    const broken = fc.record({
      phase: fc.constantFrom<RolloutStatus['phase']>('Gating', 'Progressing', 'Paused', 'Healthy', 'Degraded', 'Blocked', undefined),
      stableRevision: revision,
      canaryRevision: revision,
      currentStepIndex: fc.constantFrom<number | undefined>(undefined, 0, 1, 2, 7, -1),
      stepStartedAt: fc.constantFrom<string | undefined>(undefined, at, 'never'),
      action: fc.constantFrom(undefined, 'Promote', 'PromoteFull', 'Abort', 'Retry' as const),
    });
    fc.assert(
      fc.property(broken, fc.constantFrom('rev1', 'rev2', 'rev3'), ({ action, ...status }, desired) => {
        const w = worldWith(status, desired);
        if (action) w.status = { ...w.status, operatorAction: { action, requestedAt: at } };
        const plan = w.reconcile();
        expect(parseRolloutStatus(plan.status).problem).toBeUndefined();
        expect(plan.status.stableRevision).toBeTruthy();
      }),
    );
  });
});
