// The telemetry a well-wired service emits, one registry per family so a family
// can be switched off at run time and disappear from /metrics entirely (a
// service that "emits no request telemetry" has no such series, not a flat one).
//
// Series carry no revision label: the scrape target adds `revision` (and
// `namespace`), as a Kubernetes pod's labels would through service discovery.
import type { Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { Counter, Histogram, Registry } from 'prom-client';
import type { TelemetryFamily } from './behaviour.js';

/** Buckets fine enough around 5-200 ms that histogram_quantile tells 20 ms from 60 ms. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.125, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5];

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/**
 * Counts spans as the SDK hands them to the exporter, which is what
 * `spans_exported_total` means for a real OTLP exporter. Nothing is sent
 * anywhere: the stand-in has no collector to talk to.
 */
class CountingExporter implements SpanExporter {
  constructor(private readonly onExport: (spans: number) => void) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.onExport(spans.length);
    resultCallback({ code: 0 });
  }

  async shutdown(): Promise<void> {}
}

export class StandInTelemetry {
  readonly registries: Record<TelemetryFamily, Registry> = { requests: new Registry(), logs: new Registry(), traces: new Registry() };
  readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by status code.',
    labelNames: ['code'],
    registers: [this.registries.requests],
  });
  readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to serve an HTTP request.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registries.requests],
  });
  readonly logs = new Counter({ name: 'log_messages_total', help: 'Log lines emitted, by level.', labelNames: ['level'], registers: [this.registries.logs] });
  private readonly spans = new Counter({ name: 'spans_exported_total', help: 'Spans handed to the trace exporter.', registers: [this.registries.traces] });
  private readonly provider: TracerProvider;
  readonly tracer: Tracer;

  constructor() {
    // Known label values start at 0, as Prometheus advises: a 5xx series that appeared only
    // with the first error would need two scrapes before rate() saw it.
    for (const code of ['200', '500']) this.requests.inc({ code }, 0);
    this.provider = new TracerProvider({
      // A short delay keeps the counter close to real time for the 1 s scrape.
      spanProcessors: [new BatchSpanProcessor({ exporter: new CountingExporter((n) => this.spans.inc(n)), scheduledDelayMillis: 250 })],
    });
    this.tracer = this.provider.getTracer('stand-in');
  }

  /** The exposition text of the enabled families only. */
  async metrics(enabled: Record<TelemetryFamily, boolean>): Promise<string> {
    const parts: string[] = [];
    for (const family of Object.keys(this.registries) as TelemetryFamily[]) {
      if (enabled[family]) parts.push(await this.registries[family].metrics());
    }
    return parts.join('\n');
  }

  get contentType(): string {
    return this.registries.requests.contentType;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
