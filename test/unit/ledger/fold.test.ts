import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANGE_TIMELINE_LIMIT, type ChangeEvent, type ChangeEventType } from '../../../src/api/index.js';
import { applyChangeEvent, applyChangeEvents, emptyChangeStatus } from '../../../src/ledger/fold.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const spec = { stabilityWindow: '1h' };

function fold(events: ChangeEvent[]) {
  const s = emptyChangeStatus();
  applyChangeEvents(s, events, spec);
  return s;
}

/** The acceptance story: denied twice, admitted, rolled back, fixed, promoted, stable. */
const story: ChangeEvent[] = [
  { type: 'Prompted', at: at(0) },
  { type: 'Authored', at: at(60) },
  { type: 'Denied', at: at(100), rules: ['owner'] },
  { type: 'Denied', at: at(160), rules: ['flag'] },
  { type: 'Admitted', at: at(200), revision: 'r1' },
  { type: 'GateBlocked', at: at(210), revision: 'r1', rules: ['flag-exists'] },
  { type: 'GatesPassed', at: at(230), revision: 'r1' },
  { type: 'AnalysisVerdict', at: at(290), revision: 'r1', reason: 'Failed' },
  { type: 'RolledBack', at: at(300), revision: 'r1', reason: 'AnalysisFailed' },
  { type: 'Admitted', at: at(500), revision: 'r2' },
  { type: 'GatesPassed', at: at(505), revision: 'r2' },
  { type: 'Promoted', at: at(800), revision: 'r2' },
  { type: 'Stable', at: at(800 + 3600 + 42), revision: 'r2' },
];

describe('change ledger fold', () => {
  it('counts attempts, denials and rollbacks and splits the cycle into stages', () => {
    const s = fold(story);
    expect(s).toMatchObject({ state: 'Stable', attempts: 2, denials: 2, canaries: 2, canaryRollbacks: 1, escapedFailures: 0 });
    expect(s.startedAt).toBe(at(0));
    expect(s.firstAppliedAt).toBe(at(100));
    // Stable from the end of the window, however late the sweep was.
    expect(s.stableAt).toBe(at(800 + 3600));
    expect(s.figures).toEqual({
      beforeAdmissionSeconds: 200,
      gatesSeconds: 30 + 5,
      canarySeconds: 70 + 295,
      reworkSeconds: 200,
      leadTimeSeconds: 800,
      downstreamSeconds: 700,
    });
  });

  it('is idempotent: every event applied again changes nothing', () => {
    const once = fold(story);
    const twice = fold([...story, ...story]);
    expect(twice).toEqual(once);
  });

  it('a dry run never arrives; a revert inside the window is an escaped failure restored later', () => {
    const s = fold([
      { type: 'Admitted', at: at(0), revision: 'r1' },
      { type: 'GatesPassed', at: at(10), revision: 'r1' },
      { type: 'Promoted', at: at(100), revision: 'r1' },
      { type: 'Reverted', at: at(400), reason: 'r0' },
      { type: 'Restored', at: at(460) },
      { type: 'Stable', at: at(100 + 7200) },
    ]);
    expect(s).toMatchObject({ state: 'Failed', escapedFailures: 1, failure: { kind: 'Reverted', by: 'r0' }, failedAt: at(400), restoredAt: at(460) });
    expect(s.figures.timeToRestoreSeconds).toBe(60);
    expect(s.figures.leadTimeSeconds).toBeUndefined();
  });

  it('a fix declared after the window is on the timeline but not a failure', () => {
    const s = fold([
      { type: 'Admitted', at: at(0), revision: 'r1' },
      { type: 'GatesPassed', at: at(1), revision: 'r1' },
      { type: 'Promoted', at: at(2), revision: 'r1' },
      { type: 'Stable', at: at(3602) },
      { type: 'FixDeclared', at: at(4000), reason: 'c-2' },
    ]);
    expect(s.state).toBe('Stable');
    expect(s.escapedFailures).toBe(0);
    expect(s.timeline.at(-1)?.type).toBe('FixDeclared');
  });

  it('a revision coming back after the change is decided is a redeploy, not an attempt', () => {
    const s = fold([
      { type: 'Admitted', at: at(0), revision: 'r1' },
      { type: 'GatesPassed', at: at(1), revision: 'r1' },
      { type: 'Promoted', at: at(2), revision: 'r1' },
      { type: 'Stable', at: at(3602) },
      { type: 'Admitted', at: at(5000), revision: 'r1' },
    ]);
    expect(s.attempts).toBe(1);
    expect(s.timeline.at(-1)?.type).toBe('Redeployed');
  });

  it('an admission stamped in whole seconds before the rollback it follows counts from the rollback', () => {
    const s = emptyChangeStatus();
    // One at a time, in the order they arrive.
    for (const e of [
      { type: 'Admitted', at: at(0), revision: 'r1' },
      { type: 'GatesPassed', at: at(1), revision: 'r1' },
      { type: 'RolledBack', at: new Date(T0 + 10_400).toISOString(), revision: 'r1' },
      { type: 'Admitted', at: at(10), revision: 'r2' },
      { type: 'GatesPassed', at: at(12), revision: 'r2' },
      { type: 'Promoted', at: at(20), revision: 'r2' },
      { type: 'Stable', at: at(4000) },
    ] as ChangeEvent[])
      applyChangeEvent(s, e, spec);
    const f = s.figures;
    expect(s.state).toBe('Stable');
    expect(f.reworkSeconds).toBe(0);
    expect((f.beforeAdmissionSeconds ?? 0) + (f.gatesSeconds ?? 0) + (f.canarySeconds ?? 0) + (f.reworkSeconds ?? 0)).toBeCloseTo(f.leadTimeSeconds!, 9);
  });

  it('caps the timeline, keeping its first entry, and figures still count everything', () => {
    const s = emptyChangeStatus();
    applyChangeEvent(s, { type: 'Prompted', at: at(0) }, spec);
    for (let i = 1; i <= 200; i++) applyChangeEvent(s, { type: 'Denied', at: at(i), rules: [`r${i}`] }, spec);
    expect(s.timeline).toHaveLength(CHANGE_TIMELINE_LIMIT);
    expect(s.timeline[0]?.type).toBe('Prompted');
    expect(s.timeline.at(-1)?.at).toBe(at(200));
    expect(s.denials).toBe(200);
    expect(s.timelineDropped).toBe(201 - CHANGE_TIMELINE_LIMIT);
  });

  const TYPES: ChangeEventType[] = [
    'Denied',
    'Admitted',
    'GateBlocked',
    'GatesPassed',
    'RolledBack',
    'Promoted',
    'Reverted',
    'FixDeclared',
    'Restored',
    'Stable',
  ];
  const eventsArb = fc.array(
    fc.record({ type: fc.constantFrom(...TYPES), dt: fc.integer({ min: 0, max: 2000 }), revision: fc.constantFrom('r1', 'r2', 'r3') }),
    { maxLength: 40 },
  );

  it('property: stages add up to the lead time, and counters never exceed what happened', () => {
    fc.assert(
      fc.property(eventsArb, (raw) => {
        let t = 0;
        const events: ChangeEvent[] = [{ type: 'Authored', at: at(0) }];
        for (const r of raw) {
          t += r.dt;
          events.push({ type: r.type, at: at(t), revision: r.revision });
        }
        const s = fold(events);
        const count = (type: ChangeEventType): number => events.filter((e) => e.type === type).length;
        expect(s.attempts).toBeLessThanOrEqual(count('Admitted'));
        expect(s.canaryRollbacks).toBeLessThanOrEqual(s.canaries);
        expect(s.denials).toBeLessThanOrEqual(count('Denied'));
        if (s.state === 'Stable') {
          const f = s.figures;
          const stages = (f.beforeAdmissionSeconds ?? 0) + (f.gatesSeconds ?? 0) + (f.canarySeconds ?? 0) + (f.reworkSeconds ?? 0);
          expect(stages).toBeCloseTo(f.leadTimeSeconds ?? -1, 6);
        }
        expect(fold([...events].reverse())).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });
});
