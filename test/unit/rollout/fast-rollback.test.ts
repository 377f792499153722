// rollback.window: a revision stable within the window returns without the canary steps.
import { describe, expect, it } from 'vitest';
import { analysisRequests, isFastRollback } from '../../../src/rollout/plan-rollout.js';
import { World } from './world.js';

const steps = [{ setWeight: 50 }, { analysis: { templates: [{ name: 'error-rate' }] } }, { pause: {} }];

function promotedTwice(window?: string): World {
  const w = new World({ strategy: { canary: { steps } }, rollback: { scaleDownDelaySeconds: 0, ...(window ? { window } : {}) } });
  w.reconcile();
  w.revision = 'rev2';
  w.settle();
  w.status = { ...w.status, operatorAction: { action: 'PromoteFull', requestedAt: w.now.toISOString() } };
  w.analysisRuns = undefined;
  w.settle();
  expect(w.status.stableRevision).toBe('rev2');
  return w;
}

describe('fast rollback (rollback.window)', () => {
  it('goes back to the revision stable a minute ago without steps or analysis', () => {
    const w = promotedTwice('1h');
    w.advance(60_000);
    w.plans = [];
    w.revision = 'rev1';
    const plan = w.settle();
    expect(plan.status).toMatchObject({ phase: 'Healthy', stableRevision: 'rev1' });
    const reasons = w.plans.flatMap((p) => p.events.map((e) => e.reason));
    expect(reasons).toContain('FastRollback');
    expect(w.plans.some((p) => p.status.phase === 'Paused')).toBe(false);
    expect(w.plans.some((p) => p.status.currentStepIndex !== undefined && p.status.currentStepIndex > 0 && p.status.currentStepIndex < steps.length)).toBe(
      false,
    );
    expect(plan.status.fastRollback).toBeUndefined();
    // The ledger still sees the revert of the change that escaped.
    expect(w.plans.flatMap((p) => p.ledger.map((e) => e.event.type))).toContain('Reverted');
  });

  it('runs the steps when the window passed, or when no window is set', () => {
    const late = promotedTwice('1h');
    late.advance(2 * 3_600_000);
    late.revision = 'rev1';
    late.settle();
    expect(late.status.phase).not.toBe('Healthy');
    expect(late.status.fastRollback).toBeUndefined();

    const none = promotedTwice();
    none.revision = 'rev1';
    none.settle();
    expect(none.status.fastRollback).toBeUndefined();
    expect(isFastRollback(none.spec, none.status, 'rev1', none.now)).toBe(false);
  });

  it('asks for no analysis while restoring', () => {
    const w = promotedTwice('1h');
    w.gate = undefined;
    w.revision = 'rev1';
    w.reconcile();
    expect(w.status.fastRollback).toBe(true);
    expect(analysisRequests(w.spec, { ...w.status, phase: 'Progressing' })).toEqual([]);
  });
});
