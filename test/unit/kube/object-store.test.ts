import type { V1ReplicaSet } from '@kubernetes/client-node';
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
