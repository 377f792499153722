import { describe, expect, it } from 'vitest';
import { changeNameForId, changeNameForRevision } from '../../../src/ledger/key.js';
import { emptyChangeStatus } from '../../../src/ledger/fold.js';
import { planSweep } from '../../../src/ledger/sweep.js';
import { cachedLedgerParser } from '../../../src/ledger/parse.js';

const now = new Date('2026-03-10T00:00:00Z');
const status = (over: object) => ({ ...emptyChangeStatus(), ...over });

describe('ledger sweep', () => {
  it('marks promoted changes stable once their window passed and wakes up for the next one', () => {
    const plan = planSweep(
      [
        {
          name: 'due',
          spec: { stabilityWindow: '1h' },
          status: status({ state: 'Promoted', promotedAt: '2026-03-09T22:00:00Z', lastEventAt: '2026-03-09T22:00:00Z' }),
        },
        {
          name: 'later',
          spec: { stabilityWindow: '2h' },
          status: status({ state: 'Promoted', promotedAt: '2026-03-09T23:30:00Z', lastEventAt: '2026-03-09T23:30:00Z' }),
        },
        { name: 'canary', spec: { stabilityWindow: '1h' }, status: status({ state: 'Canary', lastEventAt: '2026-03-09T00:00:00Z' }) },
      ],
      now,
      90 * 86_400_000,
    );
    expect(plan.stable.map((s) => s.name)).toEqual(['due']);
    expect(plan.nextDueAt).toBe(Date.parse('2026-03-10T01:30:00Z'));
    expect(plan.expired).toEqual([]);
  });

  it('expires changes whose last event is older than the retention', () => {
    const plan = planSweep(
      [{ name: 'old', spec: { stabilityWindow: '24h' }, status: status({ state: 'Stable', lastEventAt: '2025-12-01T00:00:00Z' }) }],
      now,
      90 * 86_400_000,
    );
    expect(plan.expired).toEqual(['old']);
  });
});

describe('change names', () => {
  it('are DNS labels that keep distinct ids apart', () => {
    const a = changeNameForId('JIRA-123/Checkout: new flow');
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(changeNameForId('jira-123-checkout-new-flow'));
    expect(changeNameForId('x'.repeat(300)).length).toBeLessThanOrEqual(63);
    expect(changeNameForRevision('checkout', 'abc1234567')).toBe('checkout-abc1234567');
    expect(changeNameForRevision('c'.repeat(60), 'abc1234567').length).toBeLessThanOrEqual(63);
  });
});

describe('ledger parsing for scrapes', () => {
  it('parses each cached object once and leaves out one that does not parse', () => {
    const parse = cachedLedgerParser();
    const good = { spec: { rollout: 'app', origin: 'human' }, status: { state: 'Stable' } };
    const bad = { spec: { origin: 'martian' } };
    const [first] = parse([good, bad]);
    expect(first?.spec.origin).toBe('human');
    expect(parse([good, bad])).toHaveLength(1);
    expect(parse([good])[0]).toBe(first);
  });
});
