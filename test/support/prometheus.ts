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
