import type { Lease } from './lease-record.js';
import type { KubeConfigLike } from './rest.js';
import { ResourceClient } from './resource-client.js';
import { COORDINATION_LEASES } from './resource.js';

/** The three Lease calls leader election makes; an interface so tests can inject faults around the real client. */
export interface LeaseClient {
  /** undefined when the Lease does not exist. */
  get(namespace: string, name: string): Promise<Lease | undefined>;
  create(namespace: string, lease: Lease): Promise<Lease>;
  /** Update guarded by `lease.metadata.resourceVersion` (409 on conflict). */
  replace(namespace: string, name: string, lease: Lease): Promise<Lease>;
}

export function coordinationLeaseClient(kc: KubeConfigLike): LeaseClient {
  const leases = ResourceClient.of<Lease>(kc, COORDINATION_LEASES);
  return {
    get: (namespace, name) => leases.find(namespace, name),
    create: (namespace, body) => leases.create(namespace, body),
    replace: (namespace, name, body) => leases.replace(namespace, name, body),
  };
}
