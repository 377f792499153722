// The controller's own metrics. Cycle time by origin is the one the mission
// hinges on: authored -> stable (or rolled back) for each change.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CHANGE_STATES, LEDGER_ORIGINS } from '../api/index.js';
import { doraByOrigin, type LedgerChange } from '../ledger/dora.js';

/** The window the ledger gauges cover; `clairvoyance report --since` picks any other. */
export const LEDGER_METRICS_WINDOW_DAYS = 30;

const CYCLE_BUCKETS = [30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 172800, 604800];
const RECONCILE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration: Histogram<'outcome'>;
  readonly planDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly rolloutsByPhase: Gauge<'phase'>;
  readonly phaseTransitions: Counter<'phase' | 'reason'>;
  readonly stepTransitions: Counter<'namespace' | 'rollout'>;
  readonly cycleSeconds: Histogram<'origin' | 'outcome'>;
  readonly gateSeconds: Histogram<'origin' | 'outcome'>;
  readonly analysisSeconds: Histogram<'origin' | 'outcome'>;
  readonly apiWrites: Counter<'verb' | 'resource'>;
  readonly informerRestarts: Counter<'resource' | 'reason'>;
  readonly analysisValue: Gauge<'namespace' | 'rollout' | 'metric'>;
  readonly isLeader: Gauge;
  /** Set by the controller: counts Rollouts by phase from its cache. */
  phaseCounts: (() => Record<string, number>) | undefined;
  /**
   * Set by the controller: the Change resources, or undefined when this replica does not
   * lead. The ledger gauges are computed from them at scrape time, so a restart or a
   * failover loses nothing and only the leader exports them (never counted twice).
   */
  ledgerChanges: (() => LedgerChange[] | undefined) | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'clairvoyance_process_' });
    this.reconcileDuration = new Histogram({
      name: 'clairvoyance_reconcile_duration_seconds',
      help: 'Time to reconcile one Rollout.',
      labelNames: ['outcome'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.planDuration = new Histogram({
      name: 'clairvoyance_plan_duration_seconds',
      help: "The controller's own share of a reconcile: cache reads and planning, without API writes and the gates' and analysis' I/O.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    this.queueDepth = new Gauge({ name: 'clairvoyance_workqueue_depth', help: 'Keys waiting in the work queue.', registers });
    const phases = (): Record<string, number> => this.phaseCounts?.() ?? {};
    this.rolloutsByPhase = new Gauge({
      name: 'clairvoyance_rollouts',
      help: 'Rollouts by phase.',
      labelNames: ['phase'],
      registers,
      // Counted from the cache at scrape time, so the gauge can never drift from the cluster.
      collect() {
        this.reset();
        for (const [phase, count] of Object.entries(phases())) this.set({ phase }, count);
      },
    });
    this.phaseTransitions = new Counter({
      name: 'clairvoyance_phase_transitions_total',
      help: 'Rollout phase changes, by the phase entered and its reason.',
      labelNames: ['phase', 'reason'],
      registers,
    });
    this.stepTransitions = new Counter({
      name: 'clairvoyance_step_transitions_total',
      help: 'Canary step changes.',
      labelNames: ['namespace', 'rollout'],
      registers,
    });
    this.cycleSeconds = new Histogram({
      name: 'clairvoyance_change_cycle_seconds',
      help: 'Seconds from authored (clairvoyance.dev/authored-at, else admitted) to stable or rolled back, by change origin.',
      labelNames: ['origin', 'outcome'],
      buckets: CYCLE_BUCKETS,
      registers,
    });
    this.gateSeconds = new Histogram({
      name: 'clairvoyance_gate_duration_seconds',
      help: 'Seconds from admitted to gates passed (time spent Gating or Blocked).',
      labelNames: ['origin', 'outcome'],
      buckets: CYCLE_BUCKETS,
      registers,
    });
    this.analysisSeconds = new Histogram({
      name: 'clairvoyance_canary_duration_seconds',
      help: 'Seconds from canary start to promotion or rollback (time spent in steps and analysis).',
      labelNames: ['origin', 'outcome'],
      buckets: CYCLE_BUCKETS,
      registers,
    });
    this.apiWrites = new Counter({
      name: 'clairvoyance_api_writes_total',
      help: 'Writes to the Kubernetes API by verb and resource.',
      labelNames: ['verb', 'resource'],
      registers,
    });
    this.informerRestarts = new Counter({
      name: 'clairvoyance_informer_restarts_total',
      help: 'Watch restarts by resource and reason (stale, gone, error).',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.analysisValue = new Gauge({
      name: 'clairvoyance_analysis_value',
      help: 'Last measured value of each analysis metric.',
      labelNames: ['namespace', 'rollout', 'metric'],
      registers,
    });
    this.isLeader = new Gauge({ name: 'clairvoyance_leader', help: '1 while this replica leads.', registers });
    this.registerLedgerGauges(registers);
  }

  private registerLedgerGauges(registers: Registry[]): void {
    const window = `${LEDGER_METRICS_WINDOW_DAYS}d`;
    // One computation per scrape, shared by every ledger gauge collected in it.
    let cached: { at: number; figures: ReturnType<typeof doraByOrigin>; changes: LedgerChange[] } | undefined;
    const current = (): typeof cached => {
      const now = Date.now();
      if (cached && now - cached.at < 1000) return cached;
      const changes = this.ledgerChanges?.();
      if (changes === undefined) return (cached = undefined);
      const since = new Date(now - LEDGER_METRICS_WINDOW_DAYS * 86_400_000);
      cached = { at: now, changes, figures: doraByOrigin(changes, { since, until: new Date(now) }) };
      return cached;
    };
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, c: NonNullable<typeof cached>) => void): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const c = current();
          if (c) fill(this, c);
        },
      });
    };
    gauge('clairvoyance_ledger_changes', 'Change resources by origin and state (leader only).', ['origin', 'state'], (g, c) => {
      for (const origin of LEDGER_ORIGINS) for (const state of CHANGE_STATES) g.set({ origin, state }, 0);
      for (const ch of c.changes) if (ch.status.state) g.inc({ origin: ch.spec.origin, state: ch.status.state });
    });
    gauge('clairvoyance_ledger_deployments', `Changes promoted in the last ${window}, by origin.`, ['origin', 'window'], (g, c) => {
      for (const f of c.figures) g.set({ origin: f.origin, window }, f.deployments);
    });
    gauge('clairvoyance_ledger_deployments_per_day', `Deployment frequency over the last ${window}, by origin.`, ['origin', 'window'], (g, c) => {
      for (const f of c.figures) g.set({ origin: f.origin, window }, f.deploymentsPerDay);
    });
    const quantiles =
      (pick: (f: ReturnType<typeof doraByOrigin>[number]) => { median?: number; p90?: number }) => (g: Gauge, c: NonNullable<typeof cached>) => {
        for (const f of c.figures) {
          const d = pick(f);
          if (d.median !== undefined) g.set({ origin: f.origin, quantile: '0.5', window }, d.median);
          if (d.p90 !== undefined) g.set({ origin: f.origin, quantile: '0.9', window }, d.p90);
        }
      };
    gauge(
      'clairvoyance_ledger_lead_time_seconds',
      `Lead time (start to the promotion that proved stable) of changes stable in the last ${window}, by origin.`,
      ['origin', 'quantile', 'window'],
      quantiles((f) => f.leadTime),
    );
    gauge(
      'clairvoyance_ledger_recovery_time_seconds',
      `Failed deployment recovery time of restores in the last ${window}, by origin.`,
      ['origin', 'quantile', 'window'],
      quantiles((f) => f.recoveryTime),
    );
    gauge(
      'clairvoyance_ledger_change_failure_rate',
      `Change failure rate over the last ${window}: kind=canary (rolled-back canaries over canaries) and kind=escaped (escaped failures over deployments).`,
      ['origin', 'kind', 'window'],
      (g, c) => {
        for (const f of c.figures) {
          if (f.canaryFailureRate !== undefined) g.set({ origin: f.origin, kind: 'canary', window }, f.canaryFailureRate);
          if (f.escapedFailureRate !== undefined) g.set({ origin: f.origin, kind: 'escaped', window }, f.escapedFailureRate);
        }
      },
    );
    gauge(
      'clairvoyance_ledger_rework_rate',
      `Share of the last ${window}'s deployments that were unplanned fixes, by origin.`,
      ['origin', 'window'],
      (g, c) => {
        for (const f of c.figures) if (f.reworkRate !== undefined) g.set({ origin: f.origin, window }, f.reworkRate);
      },
    );
    gauge(
      'clairvoyance_ledger_downstream_share',
      `Share of the cycle spent after first apply (gates, canary, rework, recovery), changes decided in the last ${window}, by origin.`,
      ['origin', 'window'],
      (g, c) => {
        for (const f of c.figures) if (f.downstreamShare !== undefined) g.set({ origin: f.origin, window }, f.downstreamShare);
      },
    );
  }
}
