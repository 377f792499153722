// The OpenTelemetry SDK, registered only by `main` and only when an OTLP
// endpoint is configured; everything else talks to @opentelemetry/api.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { setTracingEnabled } from './tracing.js';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

/** Registers a tracer provider with the given processors and async context propagation. */
export function registerTracing(spanProcessors: SpanProcessor[], serviceName = 'clairvoyance'): TracingHandle {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  setTracingEnabled(true);
  return {
    async shutdown() {
      setTracingEnabled(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise no spans are started. */
export function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): TracingHandle | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return registerTracing([new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })], env.OTEL_SERVICE_NAME ?? 'clairvoyance');
}
