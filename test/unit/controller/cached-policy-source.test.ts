import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CachedPolicySource, type PolicyCaches } from '../../../src/controller/cached-policy-source.js';
import type { SharedInformer } from '../../../src/kube/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

type Handler = (...args: never[]) => void;

/** An informer over a fixed list whose events the test fires by hand. */
function fakeInformer<T extends KubernetesObject>(items: T[]): SharedInformer<T> & { fire(event: string, ...args: unknown[]): void } {
  const handlers = new Map<string, Handler[]>();
  return {
    name: 'fake',
    start: () => undefined,
    stop: () => Promise.resolve(),
    hasSynced: () => true,
    msSinceActivity: () => 0,
    get: () => undefined,
    list: () => [...items],
    byIndex: () => [],
    on(event: string, handler: Handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return () => undefined;
    },
    fire(event, ...args) {
      for (const h of handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
    },
  } as SharedInformer<T> & { fire(event: string, ...args: unknown[]): void };
}

describe('CachedPolicySource.workloads', () => {
  it('hands out one list until a Deployment is added, changed, deleted or relisted', () => {
    const a: V1Deployment = { metadata: { name: 'a', namespace: 'x', resourceVersion: '1' } };
    const deployments = fakeInformer([a]);
    const caches = { deployments } as unknown as PolicyCaches;
    const source = new CachedPolicySource(caches, silentLogger);
    const first = source.workloads();
    expect(source.workloads()).toBe(first);
    // A resync (same object as old and new) changes nothing.
    deployments.fire('update', a, a);
    expect(source.workloads()).toBe(first);
    let last = first;
    for (const [event, ...args] of [
      ['update', { ...a }, a],
      ['add', a],
      ['delete', a],
      ['relist', { startedAt: 0 }],
    ] as const) {
      deployments.fire(event, ...args);
      const next = source.workloads();
      expect(next, event).not.toBe(last);
      expect(next).toEqual([a]);
      last = next;
    }
  });
});
