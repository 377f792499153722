import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Admission and audit metrics, registered on the caller's registry. */
export class WebhookMetrics {
  readonly reviews: Counter<'operation' | 'allowed'>;
  readonly denials: Counter<'rule'>;
  readonly violations: Gauge<'policy' | 'rule'>;
  readonly duration: Histogram<'endpoint'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.reviews = new Counter({
      name: 'clairvoyance_admission_reviews_total',
      help: 'Admission reviews answered, by operation and whether the change was allowed.',
      labelNames: ['operation', 'allowed'],
      registers,
    });
    this.denials = new Counter({
      name: 'clairvoyance_webhook_denials_total',
      help: 'Changes denied at admission, by the rule that denied them.',
      labelNames: ['rule'],
      registers,
    });
    this.violations = new Gauge({
      name: 'clairvoyance_policy_violations',
      help: 'Existing workloads violating a policy rule, as of the last audit scan.',
      labelNames: ['policy', 'rule'],
      registers,
    });
    this.duration = new Histogram({
      name: 'clairvoyance_admission_duration_seconds',
      help: 'Time to answer one admission review.',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
  }
}
