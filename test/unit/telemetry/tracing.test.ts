// Spans are started only while a tracer provider is registered; off, the callbacks run as they are.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { registerTracing } from '../../../src/telemetry/otel-sdk.js';
import { tracingEnabled, withSpan, withSyncSpan } from '../../../src/telemetry/tracing.js';

describe('withSpan and withSyncSpan', () => {
  it('start no span and build no attributes while tracing is off', async () => {
    expect(tracingEnabled()).toBe(false);
    let built = 0;
    expect(
      withSyncSpan(
        'off',
        () => ((built += 1), {}),
        (span) => span.isRecording(),
      ),
    ).toBe(false);
    expect(built).toBe(0);
    expect(await withSpan('off', {}, (span) => Promise.resolve(span.isRecording()))).toBe(false);
    await expect(withSpan('off', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('record spans, attributes and failures while a provider is registered', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = registerTracing([new SimpleSpanProcessor({ exporter })]);
    try {
      expect(
        withSyncSpan(
          'sync',
          () => ({ a: 1 }),
          () => 'done',
        ),
      ).toBe('done');
      expect(() =>
        withSyncSpan(
          'fails',
          () => ({}),
          () => {
            throw new Error('bad');
          },
        ),
      ).toThrow('bad');
      await withSpan('async', { b: 2 }, () => Promise.resolve());
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['sync', 'fails', 'async']);
      expect(spans[0]?.attributes).toEqual({ a: 1 });
      expect(spans[1]?.status.code).toBe(2);
    } finally {
      await tracing.shutdown();
    }
    expect(tracingEnabled()).toBe(false);
  });
});
