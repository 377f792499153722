import type { MetricProvider, QueryOptions, QueryResult } from './provider.js';

export type Responder = (query: string, opts: QueryOptions) => QueryResult | Promise<QueryResult>;

/**
 * A provider that answers from a function, for tests of the controller seams.
 * By default it answers an empty vector: missing evidence, so a forgotten stub
 * can only ever make analysis inconclusive, never successful.
 */
export class StaticProvider implements MetricProvider {
  readonly calls: { query: string; opts: QueryOptions }[] = [];

  constructor(
    private readonly responder: Responder = () => ({ kind: 'vector', samples: [] }),
    private readonly online = true,
  ) {}

  async query(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
    this.calls.push({ query, opts });
    return this.responder(query, opts);
  }

  async isOnline(): Promise<boolean> {
    return this.online;
  }
}

/** The no-op provider: always online, never any data. */
export function noopProvider(): StaticProvider {
  return new StaticProvider();
}
