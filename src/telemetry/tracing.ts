// Spans through @opentelemetry/api only. Without a registered SDK they would be no-ops,
// but even a no-op span costs a context switch and a closure per call, which the
// admission path pays per review: so while tracing is off no span is started at all.
import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

export const tracer = trace.getTracer('clairvoyance');

/** Handed to callbacks while tracing is off: records nothing. */
const OFF_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

let enabled = false;

/** Set by whoever registers a tracer provider (and cleared when it shuts down). */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled;
}

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Runs `fn` inside a span that records failures and always ends. */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) {
    try {
      return fn(OFF_SPAN);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `withSpan` for synchronous work: no promise, no microtask. Attributes are built only when tracing is on. */
export function withSyncSpan<T>(name: string, attributes: () => Attributes, fn: (span: Span) => T): T {
  if (!enabled) return fn(OFF_SPAN);
  return tracer.startActiveSpan(name, { attributes: attributes() }, (span) => {
    try {
      return fn(span);
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export interface TracingHandle {
  shutdown(): Promise<void>;
}
