/** The small seam between judgment and a metrics backend (Flagger's RunQuery/IsOnline). */

export type Labels = Record<string, string>;

export type QueryResult =
  | { kind: 'scalar'; value: number }
  | { kind: 'vector'; samples: { labels: Labels; value: number }[] }
  | { kind: 'matrix'; series: { labels: Labels; values: [number, number][] }[] };

export interface RangeOptions {
  /** Inclusive bounds of a range query. */
  start: Date;
  end: Date;
  stepMs: number;
}

export interface QueryOptions {
  /** Evaluation time of an instant query; backend "now" when absent. */
  time?: Date;
  /** Makes it a range query. */
  range?: RangeOptions;
  signal?: AbortSignal;
}

export interface MetricProvider {
  query(query: string, opts?: QueryOptions): Promise<QueryResult>;
  isOnline(): Promise<boolean>;
}

/**
 * Why a query failed. `unreachable` and `timeout` mean the evidence is missing
 * (→ inconclusive: pause, never promote); the others mean the query or the
 * provider configuration is wrong (→ error).
 */
export type ProviderErrorKind = 'unreachable' | 'timeout' | 'badQuery' | 'unauthorized' | 'tls' | 'badResponse' | 'config';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(message, options);
    this.name = 'ProviderError';
    if (options?.field !== undefined) this.field = options.field;
  }

  /** For `config` errors: the metric field at fault, e.g. `provider.prometheus.address`. */
  readonly field?: string;

  /** Missing evidence rather than a broken query. */
  get inconclusive(): boolean {
    return this.kind === 'unreachable' || this.kind === 'timeout';
  }
}
