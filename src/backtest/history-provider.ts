// Serves the engine's instant queries from range queries: one `query_range` per query
// and metric grid instead of one request per measurement. Prometheus evaluates a range
// query as the instant query at each step, so a point read from it is the answer the
// instant query would give at that time; times off the grid fall through to it.
import type { MetricProvider, QueryOptions, QueryResult } from '../analysis/index.js';

/** Prometheus refuses range queries over 11,000 points per series. */
const MAX_POINTS_PER_REQUEST = 10_000;
const ON_GRID_TOLERANCE_MS = 1;

export interface Grid {
  /** First evaluation time; later ones are start + k * stepMs. */
  start: Date;
  end: Date;
  stepMs: number;
}

type Matrix = Extract<QueryResult, { kind: 'matrix' }>;

export class RangeBackedProvider implements MetricProvider {
  private readonly ranges = new Map<string, Promise<{ matrix: Matrix; scalar: boolean }>>();
  /** Requests sent, for the report (and to show the grid saved them). */
  requests = 0;

  constructor(
    private readonly inner: MetricProvider,
    private readonly grid: Grid,
    /** Off: every query goes to the backend as asked (to measure what the grid saves). */
    private readonly prefetch = true,
  ) {}

  async query(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
    const t = opts.time?.getTime();
    if (!this.prefetch || opts.range || t === undefined || !this.onGrid(t)) {
      this.requests++;
      return this.inner.query(query, opts);
    }
    let range = this.ranges.get(query);
    if (!range) {
      range = this.fetchRange(query, opts.signal);
      this.ranges.set(query, range);
      range.catch(() => this.ranges.delete(query));
    }
    const { matrix, scalar } = await range;
    const seconds = t / 1000;
    const samples = [];
    for (const s of matrix.series) {
      const point = s.values.find(([ts]) => Math.abs(ts - seconds) * 1000 < ON_GRID_TOLERANCE_MS);
      if (point) samples.push({ labels: s.labels, value: point[1] });
    }
    // A scalar expression comes back from a range query as one unlabelled series.
    if (scalar && samples.length === 1 && samples[0]) return { kind: 'scalar', value: samples[0].value };
    return { kind: 'vector', samples };
  }

  isOnline(): Promise<boolean> {
    return this.inner.isOnline();
  }

  private onGrid(t: number): boolean {
    const { start, end, stepMs } = this.grid;
    if (t < start.getTime() - ON_GRID_TOLERANCE_MS || t > end.getTime() + ON_GRID_TOLERANCE_MS) return false;
    const offset = (t - start.getTime()) % stepMs;
    return offset < ON_GRID_TOLERANCE_MS || stepMs - offset < ON_GRID_TOLERANCE_MS;
  }

  private async fetchRange(query: string, signal?: AbortSignal): Promise<{ matrix: Matrix; scalar: boolean }> {
    const { start, end, stepMs } = this.grid;
    // One instant query learns the result type the engine would see (scalar or vector).
    this.requests++;
    const probe = await this.inner.query(query, { time: start, ...(signal ? { signal } : {}) });
    const series = new Map<string, Matrix['series'][number]>();
    for (let from = start.getTime(); from <= end.getTime(); from += stepMs * MAX_POINTS_PER_REQUEST) {
      const to = Math.min(end.getTime(), from + stepMs * (MAX_POINTS_PER_REQUEST - 1));
      this.requests++;
      const res = await this.inner.query(query, { range: { start: new Date(from), end: new Date(to), stepMs }, ...(signal ? { signal } : {}) });
      if (res.kind !== 'matrix') throw new Error(`range query returned ${res.kind}, not a matrix (query: ${query})`);
      for (const s of res.series) {
        const key = JSON.stringify(Object.entries(s.labels).sort());
        const held = series.get(key);
        if (held) held.values.push(...s.values);
        else series.set(key, { labels: s.labels, values: [...s.values] });
      }
    }
    return { matrix: { kind: 'matrix', series: [...series.values()] }, scalar: probe.kind === 'scalar' };
  }
}
