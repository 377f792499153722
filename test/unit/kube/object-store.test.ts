import type { V1ReplicaSet } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pruneReplicaSet } from '../../../src/controller/informers.js';
import { ObjectStore } from '../../../src/kube/object-store.js';

function replicaSet(): V1ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'checkout-abc',
      namespace: 'shop',
      labels: { 'clairvoyance.dev/revision': 'abc' },
      annotations: { 'clairvoyance.dev/scale-down-at': '2026-01-01T00:00:00Z', 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"ReplicaSet"}' },
      ownerReferences: [{ apiVersion: 'clairvoyance.dev/v1alpha1', kind: 'Rollout', name: 'checkout', uid: 'u1', controller: true }],
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1' }] } },
    },
    status: { replicas: 3, readyReplicas: 2 },
  };
}

describe('ObjectStore', () => {
  it('drops managedFields, kubectl’s last-applied copy and whatever its prune drops, keeping the rest', () => {
    const store = new ObjectStore<V1ReplicaSet>(pruneReplicaSet);
    store.upsert(replicaSet());
    const cached = store.get('shop', 'checkout-abc')!;
    expect(cached.metadata?.managedFields).toBeUndefined();
    expect(cached.spec?.template?.spec).toBeUndefined();
    // What the controller reads of a ReplicaSet stays.
    expect(cached.metadata?.labels).toEqual({ 'clairvoyance.dev/revision': 'abc' });
    expect(cached.metadata?.annotations).toEqual({ 'clairvoyance.dev/scale-down-at': '2026-01-01T00:00:00Z' });
    expect(cached.metadata?.ownerReferences?.[0]?.uid).toBe('u1');
    expect(cached.spec?.replicas).toBe(3);
    expect(cached.spec?.selector).toEqual({ matchLabels: { app: 'checkout' } });
    expect(cached.status).toEqual({ replicas: 3, readyReplicas: 2 });
  });

  it('keeps objects whole without a prune', () => {
    const store = new ObjectStore<V1ReplicaSet>();
    store.upsert(replicaSet());
    expect(store.get('shop', 'checkout-abc')?.spec?.template?.spec?.containers).toHaveLength(1);
  });
});

describe('ObjectStore indexes', () => {
  type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> } };
  const obj = (name: string, owner?: string): Obj => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop', ...(owner ? { labels: { owner } } : {}) },
  });
  const byOwner = (o: Obj): string[] => (o.metadata.labels?.owner ? [o.metadata.labels.owner] : []);
  const names = (objects: Obj[]): string[] => objects.map((o) => o.metadata.name).sort();

  it('finds objects by key, follows an update to its new key, and forgets removed ones', () => {
    const store = new ObjectStore<Obj>(undefined, { owner: byOwner });
    store.upsert(obj('a', 'x'));
    store.upsert(obj('b', 'x'));
    store.upsert(obj('c', 'y'));
    store.upsert(obj('d'));
    expect(names(store.byIndex('owner', 'x'))).toEqual(['a', 'b']);
    store.upsert(obj('b', 'y'));
    expect(names(store.byIndex('owner', 'x'))).toEqual(['a']);
    expect(names(store.byIndex('owner', 'y'))).toEqual(['b', 'c']);
    store.remove('shop', 'a');
    expect(store.byIndex('owner', 'x')).toEqual([]);
    store.clear();
    expect(store.byIndex('owner', 'y')).toEqual([]);
  });

  it('agrees with a scan after any sequence of writes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c', 'd'), fc.option(fc.constantFrom('x', 'y'), { nil: undefined })), { maxLength: 40 }),
        (ops) => {
          const store = new ObjectStore<Obj>(undefined, { owner: byOwner });
          for (const [write, name, owner] of ops) {
            if (write) store.upsert(obj(name, owner));
            else store.remove('shop', name);
          }
          for (const key of ['x', 'y']) {
            expect(names(store.byIndex('owner', key))).toEqual(names(store.list().filter((o) => o.metadata.labels?.owner === key)));
          }
        },
      ),
    );
  });

  it('names the indexes it has when asked for another', () => {
    expect(() => new ObjectStore<Obj>(undefined, { owner: byOwner }).byIndex('team', 'x')).toThrow(/no index "team" on this cache \(known: owner\)/);
  });
});
