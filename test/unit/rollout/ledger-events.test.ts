// The planner declares each change's events at the points it sets its cycle timestamps.
import { describe, expect, it } from 'vitest';
import { changeNameForId } from '../../../src/ledger/key.js';
import { World } from './world.js';

const ledger = (w: World) => w.plans.flatMap((p) => p.ledger.map((e) => `${e.change.name}:${e.event.type}${e.event.reason ? `(${e.event.reason})` : ''}`));

describe('ledger events from the rollout core', () => {
  it('a change keyed by change-id: admitted, gates passed, promoted; the start from prompted-at', () => {
    const w = new World({ strategy: { canary: { steps: [{ setWeight: 50 }] } } });
    w.reconcile();
    w.revision = 'rev2';
    w.annotations = { 'clairvoyance.dev/change-id': 'CHG-7', 'clairvoyance.dev/prompted-at': '2025-12-31T23:00:00Z', 'clairvoyance.dev/origin': 'human' };
    w.settle();
    const name = changeNameForId('CHG-7');
    expect(ledger(w)).toEqual([`${name}:Prompted`, `${name}:Admitted`, `${name}:GatesPassed`, `${name}:Promoted`]);
    const admitted = w.plans.flatMap((p) => p.ledger).find((e) => e.event.type === 'Admitted')!;
    expect(admitted.change).toMatchObject({ name, spec: { rollout: 'app', workload: 'app', changeId: 'CHG-7', origin: 'human', stabilityWindow: '24h' } });
    expect(w.status.changes).toEqual({ canary: name, stable: name });
  });

  it('going back to an earlier stable revision reverts the current change; a declared fix names the fixed one', () => {
    const w = new World({ strategy: { canary: { steps: [] } } });
    w.reconcile();
    w.revision = 'rev2';
    w.settle();
    w.plans = [];
    w.revision = 'rev1';
    w.settle();
    expect(ledger(w)).toEqual(['app-rev2:Reverted(rev1)', 'app-rev1:Admitted', 'app-rev1:GatesPassed', 'app-rev1:Promoted']);

    w.plans = [];
    w.revision = 'rev3';
    w.annotations = { 'clairvoyance.dev/change-id': 'CHG-9', 'clairvoyance.dev/fixes': 'CHG-8' };
    w.settle();
    const fix = w.plans.flatMap((p) => p.ledger).find((e) => e.event.type === 'FixDeclared')!;
    expect(fix.change).toMatchObject({ name: changeNameForId('CHG-8'), mustExist: true });
    expect(fix.event.reason).toBe('CHG-9');
  });

  it('a rolled-back canary and a blocked gate are on the change', () => {
    const w = new World({ strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } });
    w.reconcile();
    w.gate = { passed: false, findings: [{ ruleId: 'owner', enforcement: 'Enforce', policy: 'p', message: 'no owner' }] };
    w.revision = 'rev2';
    w.settle();
    w.gate = { passed: true, findings: [] };
    w.settle();
    w.status = { ...w.status, operatorAction: { action: 'Abort', requestedAt: w.now.toISOString() } };
    w.settle();
    expect(ledger(w)).toEqual(['app-rev2:Admitted', 'app-rev2:GateBlocked', 'app-rev2:GatesPassed', 'app-rev2:RolledBack(Aborted)']);
  });
});
