import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItemExponentialRateLimiter } from '../../../src/kube/rate-limiter.js';
import { WorkQueue } from '../../../src/kube/workqueue.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A handler whose calls stay open until the test finishes them. */
function controlledHandler() {
  const open = new Map<string, () => void>();
  const started: string[] = [];
  let concurrentSameKey = false;
  const handler = (key: string): Promise<void> => {
    if (open.has(key)) concurrentSameKey = true;
    started.push(key);
    return new Promise<void>((resolve) =>
      open.set(key, () => {
        open.delete(key);
        resolve();
      }),
    );
  };
  return {
    handler,
    open,
    started,
    get concurrentSameKey() {
      return concurrentSameKey;
    },
    finish(key: string) {
      open.get(key)?.();
    },
  };
}

describe('WorkQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('processes a key queued twice once', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.depth()).toBe(2);
    const h = controlledHandler();
    q.run(2, h.handler);
    await flush();
    expect(h.started.sort()).toEqual(['ns/a', 'ns/b']);
    h.finish('ns/a');
    h.finish('ns/b');
    await flush();
    expect(h.started).toHaveLength(2);
    await q.shutDown({ drain: true });
  });

  it('re-processes a key re-added while in flight, after it finishes, never concurrently', async () => {
    const q = new WorkQueue();
    const h = controlledHandler();
    q.run(4, h.handler);
    q.add('ns/a');
    await flush();
    expect(h.started).toEqual(['ns/a']);
    q.add('ns/a');
    q.add('ns/a');
    await flush();
    expect(h.started).toEqual(['ns/a']); // still one in flight, re-add is parked
    h.finish('ns/a');
    await flush();
    expect(h.started).toEqual(['ns/a', 'ns/a']);
    h.finish('ns/a');
    await flush();
    expect(h.started).toHaveLength(2);
    expect(h.concurrentSameKey).toBe(false);
    await q.shutDown({ drain: true });
  });

  it('addAfter keeps the earliest deadline', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('k', 1000);
    q.addAfter('k', 5000); // later: ignored
    expect(q.delayedCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(q.depth()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.depth()).toBe(1);
    q.addAfter('j', 5000);
    q.addAfter('j', 100); // earlier: replaces
    vi.advanceTimersByTime(100);
    expect(q.depth()).toBe(2);
    vi.advanceTimersByTime(10_000);
    expect(q.depth()).toBe(2); // the replaced timer does not fire again
    await q.shutDown();
  });

  it('addRateLimited backs off per key exponentially and forget resets it', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
    q.addRateLimited('k'); // 5 ms
    vi.advanceTimersByTime(4);
    expect(q.depth()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.depth()).toBe(1);
    await q.get().then((k) => q.done(k as string));
    q.addRateLimited('k'); // 10 ms
    vi.advanceTimersByTime(9);
    expect(q.depth()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.depth()).toBe(1);
    expect(q.numRequeues('k')).toBe(2);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
    await q.shutDown();
  });

  it('shutDown({drain}) waits for in-flight work, drops the rest and stops workers', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    const h = controlledHandler();
    q.run(1, h.handler);
    q.add('a');
    q.add('b');
    q.addAfter('c', 1000);
    await flush();
    expect(h.started).toEqual(['a']);
    let drained = false;
    const shut = q.shutDown({ drain: true }).then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    q.add('d'); // ignored after shutdown
    h.finish('a');
    await shut;
    expect(drained).toBe(true);
    vi.advanceTimersByTime(5000);
    await flush();
    expect(h.started).toEqual(['a']);
    expect(q.depth()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports depth, latency and work duration', async () => {
    const depths: number[] = [];
    let latencies = 0;
    let works = 0;
    const q = new WorkQueue({
      observer: { depth: (d) => depths.push(d), latency: () => latencies++, workDuration: () => works++ },
    });
    q.add('a');
    q.add('b');
    q.run(1, async () => {});
    await flush();
    await q.shutDown({ drain: true });
    expect(depths.slice(0, 2)).toEqual([1, 2]);
    expect(latencies).toBe(2);
    expect(works).toBe(2);
  });

  it('a throwing handler does not kill the worker', async () => {
    const errors: string[] = [];
    const q = new WorkQueue({ observer: { handlerError: (k) => errors.push(k) } });
    const seen: string[] = [];
    q.run(1, async (k) => {
      seen.push(k);
      if (k === 'bad') throw new Error('boom');
    });
    q.add('bad');
    q.add('good');
    await flush();
    expect(seen).toEqual(['bad', 'good']);
    expect(errors).toEqual(['bad']);
    await q.shutDown({ drain: true });
  });

  type Op = { t: 'add'; key: string } | { t: 'finish'; key: string } | { t: 'tick' };
  const keys = ['a', 'b', 'c', 'd'];
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ t: fc.constant('add' as const), key: fc.constantFrom(...keys) }),
    fc.record({ t: fc.constant('finish' as const), key: fc.constantFrom(...keys) }),
    fc.constant({ t: 'tick' as const }),
  );

  it('property: one worker per key, no lost adds, never more runs than adds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (ops, workers) => {
        const q = new WorkQueue();
        const h = controlledHandler();
        const adds = new Map<string, number>();
        // A key needs a run when it was added after its latest run started.
        const needs = new Set<string>();
        const origHandler = h.handler;
        q.run(workers, (key) => {
          needs.delete(key);
          return origHandler(key);
        });
        for (const op of ops) {
          if (op.t === 'add') {
            q.add(op.key);
            needs.add(op.key);
            adds.set(op.key, (adds.get(op.key) ?? 0) + 1);
          } else if (op.t === 'finish') {
            h.finish(op.key);
          } else {
            await flush();
          }
        }
        // Let everything run to completion.
        for (let i = 0; i < 50; i++) {
          await flush();
          if (h.open.size === 0 && q.depth() === 0 && q.inFlight() === 0) break;
          for (const k of [...h.open.keys()]) h.finish(k);
        }
        expect(h.concurrentSameKey).toBe(false);
        expect([...needs]).toEqual([]);
        for (const k of keys) {
          const runs = h.started.filter((s) => s === k).length;
          expect(runs).toBeLessThanOrEqual(adds.get(k) ?? 0);
        }
        await q.shutDown({ drain: true });
      }),
      { numRuns: 300 },
    );
  });

  it('property: keys added while idle are processed once each, however often they were added', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...keys), { minLength: 1, maxLength: 40 }), async (added) => {
        const q = new WorkQueue();
        for (const k of added) q.add(k);
        expect(q.depth()).toBe(new Set(added).size);
        const seen: string[] = [];
        q.run(3, async (k) => {
          seen.push(k);
        });
        await flush();
        await q.shutDown({ drain: true });
        expect(seen.sort()).toEqual([...new Set(added)].sort());
      }),
    );
  });
});

describe('WorkQueue liveness', () => {
  it('measures how long ready work waits without a worker taking it, 0 when idle or moving', async () => {
    const q = new WorkQueue();
    expect(q.msWithoutProgress()).toBe(0);
    q.add('a');
    q.add('b');
    await new Promise((r) => setTimeout(r, 30));
    expect(q.msWithoutProgress()).toBeGreaterThanOrEqual(25);
    const key = await q.get();
    expect(key).toBe('a');
    expect(q.msWithoutProgress()).toBeLessThan(25);
    q.done('a');
    await q.get();
    expect(q.msWithoutProgress()).toBe(0);
    await q.shutDown();
  });
});
