// The controller's own metrics. Cycle time by origin is the one the mission
// hinges on: authored -> stable (or rolled back) for each change.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  }
}
