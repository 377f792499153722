import { describe, expect, it } from 'vitest';
import { StaleGuard } from '../../../src/kube/stale-guard.js';

function guardAt() {
  let t = 1000;
  const guard = new StaleGuard({ maxAgeMs: 60_000, now: () => t });
  return { guard, advance: (ms: number) => (t += ms), now: () => t };
}

describe('StaleGuard', () => {
  it('flags a cached copy that predates our write until the write is seen', () => {
    const { guard } = guardAt();
    guard.recordWrite('ns/r', '105');
    expect(guard.isStale('ns/r', '100')).toBe(true);
    guard.observe('ns/r', '101'); // someone else's older event
    expect(guard.isStale('ns/r', '101')).toBe(true);
    guard.observe('ns/r', '105');
    // Once our version was delivered, later versions are newer, whatever their text.
    expect(guard.isStale('ns/r', '107')).toBe(false);
    expect(guard.unsettled).toBe(0);
  });

  it('settles when the cache holds exactly the written version', () => {
    const { guard } = guardAt();
    guard.recordWrite('ns/r', 'abc');
    expect(guard.isStale('ns/r', 'abc')).toBe(false);
    expect(guard.isStale('ns/r', 'older')).toBe(false);
  });

  it('never compares versions numerically', () => {
    const { guard } = guardAt();
    guard.recordWrite('ns/r', '9');
    // "10" > "9" numerically but the guard cannot know the order without seeing "9".
    expect(guard.isStale('ns/r', '10')).toBe(true);
  });

  it('settles on a relist that started after the write, not before', () => {
    const { guard, advance, now } = guardAt();
    const listStartedBefore = now();
    advance(10);
    guard.recordWrite('ns/r', '5');
    guard.relisted(listStartedBefore);
    expect(guard.isStale('ns/r', '4')).toBe(true);
    advance(10);
    guard.relisted(now());
    expect(guard.isStale('ns/r', '7')).toBe(false);
  });

  it('settles on delete and after maxAge', () => {
    const { guard, advance } = guardAt();
    guard.recordWrite('ns/a', '5');
    guard.forget('ns/a');
    expect(guard.isStale('ns/a', '4')).toBe(false);
    guard.recordWrite('ns/b', '5');
    advance(60_001);
    expect(guard.isStale('ns/b', '4')).toBe(false);
  });

  it('guardWrite handles the watch delivering our version before the response', async () => {
    const { guard } = guardAt();
    const obj = await guard.guardWrite('ns/r', async () => {
      guard.observe('ns/r', '42'); // the watch beat the HTTP response
      guard.observe('ns/r', '43'); // and someone else wrote after us
      return { metadata: { name: 'r', namespace: 'ns', resourceVersion: '42' } };
    });
    expect(obj?.metadata?.resourceVersion).toBe('42');
    expect(guard.isStale('ns/r', '43')).toBe(false);
  });

  it('guardWrite records a version not yet seen and ignores failed or no-op writes', async () => {
    const { guard } = guardAt();
    await guard.guardWrite('ns/r', async () => ({ metadata: { resourceVersion: '50' } }));
    expect(guard.isStale('ns/r', '49')).toBe(true);
    await guard.guardWrite('ns/x', async () => undefined);
    expect(guard.isStale('ns/x', '1')).toBe(false);
    await expect(guard.guardWrite('ns/y', async () => Promise.reject(new Error('409')))).rejects.toThrow('409');
    expect(guard.isStale('ns/y', '1')).toBe(false);
  });
});
