// The OpenTelemetry SDK, loaded by startTracingFromEnv only when an OTLP endpoint
// is configured (it is about 25 MiB of modules); everything else talks to @opentelemetry/api.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { setTracingEnabled, type TracingHandle } from './tracing.js';

export type { TracingHandle };

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

/** Spans exported over OTLP/HTTP, configured by the standard OTEL_EXPORTER_OTLP_* variables. */
export function startOtlpTracing(serviceName: string): TracingHandle {
  return registerTracing([new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })], serviceName);
}
