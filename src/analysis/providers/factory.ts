import type { Credentials, MetricProviderSpec, MetricSpec } from '../types.js';
import { PrometheusProvider, prometheusOptionsFromSpec } from './prometheus.js';
import { ProviderError } from './provider.js';
import type { MetricProvider } from './provider.js';

export type ProviderKind = 'prometheus' | 'compare' | 'signal';

/** The single provider a metric names; more or none is a spec error. */
export function providerKind(spec: MetricProviderSpec): ProviderKind {
  const set = (['prometheus', 'compare', 'signal'] as const).filter((k) => spec[k] !== undefined);
  if (set.length !== 1) {
    throw new ProviderError('config', set.length === 0 ? 'metric has no provider' : `metric has several providers (${set.join(', ')}); set exactly one`, {
      field: 'provider',
    });
  }
  return set[0] as ProviderKind;
}

/** What the controller depends on; tests pass a static source instead. */
export interface ProviderSource {
  /** `credentials`: resolved from the Secrets `provider.prometheus.authentication` names. */
  forMetric(metric: MetricSpec, credentials?: Credentials): MetricProvider;
}

export interface ProviderFactoryOptions {
  /** `clairvoyance run --prometheus-url`: used when a template has no address, and by compare/signal metrics. */
  defaultPrometheusAddress?: string;
  /** PEM CA bundle for HTTPS Prometheus endpoints. */
  ca?: string;
  defaultTimeoutMs?: number;
}

/**
 * Chooses a provider by kind. `compare` and `signal` metrics query the default
 * Prometheus. Providers are cached by their full configuration, so connections
 * are pooled across measurements and runs.
 */
export class ProviderFactory implements ProviderSource {
  private readonly cache = new Map<string, PrometheusProvider>();

  constructor(private readonly options: ProviderFactoryOptions = {}) {}

  forMetric(metric: MetricSpec, credentials: Credentials = {}): MetricProvider {
    const kind = providerKind(metric.provider);
    const { query: _query, ...connection } = kind === 'prometheus' && metric.provider.prometheus ? metric.provider.prometheus : { query: '' };
    const opts = prometheusOptionsFromSpec(
      connection,
      { address: this.options.defaultPrometheusAddress, ca: this.options.ca, timeoutMs: this.options.defaultTimeoutMs },
      credentials,
    );
    const key = JSON.stringify(opts);
    let provider = this.cache.get(key);
    if (!provider) {
      provider = new PrometheusProvider(opts);
      this.cache.set(key, provider);
    }
    return provider;
  }

  close(): void {
    for (const p of this.cache.values()) p.close();
    this.cache.clear();
  }
}

/** A source that hands every metric the same provider (tests, dry runs). */
export function singleProviderSource(provider: MetricProvider): ProviderSource {
  return { forMetric: () => provider };
}
