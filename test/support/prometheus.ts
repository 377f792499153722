// A minimal reader of Prometheus's HTTP API for assertions in tests.
import { prometheusUrl } from './cluster.js';

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function instantQuery(expr: string): Promise<VectorSample[]> {
  const base = prometheusUrl();
  if (!base) throw new Error('no Prometheus: run `npm run stack:up` or set PROMETHEUS_URL');
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorSample[] } };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A range query, as a dashboard's time-series panel runs it over its time range. */
export async function rangeQuery(expr: string, start: Date, end: Date, stepSeconds = 15): Promise<MatrixSeries[]> {
  const base = prometheusUrl();
  if (!base) throw new Error('no Prometheus: run `npm run stack:up` or set PROMETHEUS_URL');
  const params = new URLSearchParams({ query: expr, start: String(start.getTime() / 1000), end: String(end.getTime() / 1000), step: String(stepSeconds) });
  const res = await fetch(`${base}/api/v1/query_range?${params.toString()}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: MatrixSeries[] } };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}
