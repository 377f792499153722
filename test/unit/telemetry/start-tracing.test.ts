import { describe, expect, it } from 'vitest';
import { startTracingFromEnv } from '../../../src/telemetry/start-tracing.js';
import { tracingEnabled } from '../../../src/telemetry/tracing.js';

describe('startTracingFromEnv', () => {
  it('starts nothing without an OTLP endpoint', async () => {
    expect(await startTracingFromEnv({})).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
  });

  it('registers the SDK when an endpoint is set, and turns spans off again on shutdown', async () => {
    // Nothing listens there: spans are batched, and shutdown gives up on the export quietly.
    const handle = await startTracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(handle).toBeDefined();
    expect(tracingEnabled()).toBe(true);
    await handle?.shutdown();
    expect(tracingEnabled()).toBe(false);
  });
});
