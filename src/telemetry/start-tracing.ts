// Apart from tracing.ts, which the SDK module imports: the SDK (about 25 MiB of modules)
// is loaded here on demand, only when spans have somewhere to go.
import type { TracingHandle } from './tracing.js';

/** OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise the SDK is never loaded and no spans are started. */
export async function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const { startOtlpTracing } = await import('./otel-sdk.js');
  return startOtlpTracing(env.OTEL_SERVICE_NAME ?? 'clairvoyance');
}
