import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEDGER_ORIGINS, type ChangeEvent, type LedgerOrigin } from '../../../src/api/index.js';
import { doraByOrigin, type LedgerChange } from '../../../src/ledger/dora.js';
import { applyChangeEvents, emptyChangeStatus } from '../../../src/ledger/fold.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

/** One generated change: its story as events, folded by the ledger itself. */
interface Story {
  origin: LedgerOrigin;
  fixes: boolean;
  start: number;
  denials: number;
  rollbacks: number;
  outcome: 'none' | 'abandoned' | 'promoted' | 'stable' | 'reverted' | 'restored';
  gaps: number[];
}

const storyArb: fc.Arbitrary<Story> = fc.record({
  origin: fc.constantFrom(...LEDGER_ORIGINS),
  fixes: fc.boolean(),
  start: fc.integer({ min: 0, max: 40 * DAY }),
  denials: fc.integer({ min: 0, max: 3 }),
  rollbacks: fc.integer({ min: 0, max: 3 }),
  outcome: fc.constantFrom('none', 'abandoned', 'promoted', 'stable', 'reverted', 'restored'),
  gaps: fc.array(fc.integer({ min: 1, max: 6 * 3_600_000 }), { minLength: 30, maxLength: 30 }),
});

function build(story: Story, i: number): LedgerChange {
  let t = T0 + story.start;
  let g = 0;
  const next = (): string => iso((t += story.gaps[g++ % story.gaps.length]!));
  const events: ChangeEvent[] = [{ type: 'Authored', at: iso(t) }];
  for (let d = 0; d < story.denials; d++) events.push({ type: 'Denied', at: next() });
  for (let r = 0; r <= story.rollbacks; r++) {
    const revision = `r${r}`;
    events.push({ type: 'Admitted', at: next(), revision }, { type: 'GatesPassed', at: next(), revision });
    if (r < story.rollbacks || story.outcome === 'none' || story.outcome === 'abandoned') events.push({ type: 'RolledBack', at: next(), revision });
  }
  if (story.outcome === 'abandoned') events.push({ type: 'Abandoned', at: next() });
  else if (story.outcome !== 'none') {
    const promoted = next();
    events.push({ type: 'Promoted', at: promoted });
    if (story.outcome === 'stable') events.push({ type: 'Stable', at: iso(Date.parse(promoted) + DAY) });
    if (story.outcome === 'reverted' || story.outcome === 'restored') events.push({ type: 'Reverted', at: next(), reason: 'r-old' });
    if (story.outcome === 'restored') events.push({ type: 'Restored', at: next() });
  }
  const status = emptyChangeStatus();
  applyChangeEvents(status, events, { stabilityWindow: '24h' });
  return { spec: { origin: story.origin, ...(story.fixes && i % 2 === 0 ? { fixes: 'earlier' } : {}) }, status };
}

/** The five keys the plain way: one pass per origin, quantiles by counting. */
function straightforward(changes: LedgerChange[], since: number, until: number) {
  const inside = (t: string | undefined): boolean => t !== undefined && Date.parse(t) >= since && Date.parse(t) <= until;
  const nearestRank = (values: number[], q: number): number | undefined => {
    for (const v of [...values].sort((a, b) => a - b)) if (values.filter((x) => x <= v).length >= q * values.length) return v;
    return undefined;
  };
  return LEDGER_ORIGINS.map((origin) => {
    let deployments = 0;
    let escaped = 0;
    let rework = 0;
    let canaries = 0;
    let rollbacks = 0;
    let down = 0;
    let total = 0;
    let stableCount = 0;
    const leads: number[] = [];
    const restores: number[] = [];
    for (const c of changes) {
      if (c.spec.origin !== origin) continue;
      const s = c.status;
      if (inside(s.lastEventAt) || inside(s.startedAt)) {
        canaries += s.canaries;
        rollbacks += s.canaryRollbacks;
      }
      if (inside(s.promotedAt)) {
        deployments++;
        escaped += s.escapedFailures;
        if (c.spec.fixes !== undefined || s.canaryRollbacks > 0) rework++;
      }
      const stable = s.state === 'Stable' && inside(s.stableAt);
      const restored = inside(s.restoredAt) || (s.state === 'Abandoned' && inside(s.lastEventAt));
      if (stable) {
        stableCount++;
        leads.push(s.figures.leadTimeSeconds!);
      }
      if (inside(s.restoredAt)) restores.push(s.figures.timeToRestoreSeconds!);
      if (stable || restored) {
        const before = (Date.parse(s.firstAppliedAt!) - Date.parse(s.startedAt!)) / 1000;
        down += s.figures.downstreamSeconds!;
        total += before + s.figures.downstreamSeconds!;
      }
    }
    return {
      origin,
      deployments,
      leadMedian: nearestRank(leads, 0.5),
      leadP90: nearestRank(leads, 0.9),
      restoreMedian: nearestRank(restores, 0.5),
      canaryFailureRate: canaries ? rollbacks / canaries : undefined,
      escapedFailureRate: deployments ? escaped / deployments : undefined,
      reworkRate: deployments ? rework / deployments : undefined,
      downstreamShare: total ? down / total : undefined,
      cyclePerStable: stableCount ? total / stableCount : undefined,
    };
  });
}

describe('DORA keys by origin', () => {
  it('property: agree with a straightforward computation over generated timelines', () => {
    let seen = { deployments: 0, restores: 0, stable: 0 };
    fc.assert(
      fc.property(
        fc.array(storyArb, { maxLength: 40 }),
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.integer({ min: DAY, max: 30 * DAY }),
        (stories, from, span) => {
          const changes = stories.map(build);
          const since = T0 + from;
          const until = since + span;
          const got = doraByOrigin(changes, { since: new Date(since), until: new Date(until) });
          const want = straightforward(changes, since, until);
          for (const g of got)
            seen = { deployments: seen.deployments + g.deployments, restores: seen.restores + g.recoveryTime.count, stable: seen.stable + g.leadTime.count };
          for (const [i, g] of got.entries()) {
            const w = want[i]!;
            expect(g.origin).toBe(w.origin);
            expect(g.deployments).toBe(w.deployments);
            expect(g.deploymentsPerDay).toBeCloseTo(w.deployments / (span / DAY), 9);
            expect(g.leadTime.median).toBe(w.leadMedian);
            expect(g.leadTime.p90).toBe(w.leadP90);
            expect(g.recoveryTime.median).toBe(w.restoreMedian);
            for (const [k, v] of [
              ['canaryFailureRate', w.canaryFailureRate],
              ['escapedFailureRate', w.escapedFailureRate],
              ['reworkRate', w.reworkRate],
              ['downstreamShare', w.downstreamShare],
              ['cyclePerStableSeconds', w.cyclePerStable],
            ] as const) {
              if (v === undefined) expect(g[k], k).toBeUndefined();
              else expect(g[k], k).toBeCloseTo(v, 9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
    // The generator reaches every branch, not just empty windows.
    expect(seen.deployments).toBeGreaterThan(100);
    expect(seen.restores).toBeGreaterThan(10);
    expect(seen.stable).toBeGreaterThan(10);
  });

  it('counts an escaped failure apart from canary rollbacks', () => {
    const changes = [
      build({ origin: 'ai-generated', fixes: false, start: 0, denials: 0, rollbacks: 1, outcome: 'stable', gaps: [3_600_000] }, 1),
      build({ origin: 'ai-generated', fixes: false, start: 0, denials: 0, rollbacks: 0, outcome: 'restored', gaps: [3_600_000] }, 1),
    ];
    const [gen] = doraByOrigin(changes, { since: new Date(T0), until: new Date(T0 + 10 * DAY) });
    expect(gen).toMatchObject({ origin: 'ai-generated', deployments: 2, canaryFailureRate: 1 / 3, escapedFailureRate: 0.5, reworkRate: 0.5 });
    expect(gen?.recoveryTime).toEqual({ count: 1, median: 3600, p90: 3600 });
  });
});
