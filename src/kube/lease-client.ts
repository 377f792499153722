import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { isNotFound } from './errors.js';

/** The three Lease calls leader election makes; an interface so tests can inject faults around the real client. */
export interface LeaseClient {
  /** undefined when the Lease does not exist. */
  get(namespace: string, name: string): Promise<V1Lease | undefined>;
  create(namespace: string, lease: V1Lease): Promise<V1Lease>;
  /** Update guarded by `lease.metadata.resourceVersion` (409 on conflict). */
  replace(namespace: string, name: string, lease: V1Lease): Promise<V1Lease>;
}

export function coordinationLeaseClient(kc: KubeConfig): LeaseClient {
  const api = kc.makeApiClient(CoordinationV1Api);
  return {
    async get(namespace, name) {
      try {
        return await api.readNamespacedLease({ namespace, name });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (namespace, body) => api.createNamespacedLease({ namespace, body }),
    replace: (namespace, name, body) => api.replaceNamespacedLease({ namespace, name, body }),
  };
}
