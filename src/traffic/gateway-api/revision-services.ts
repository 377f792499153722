// The stable and canary Services a route weights between: the app's Service's ports and
// selector, narrowed to one revision by its label. Created when missing (owned by the
// Rollout, so they go with it); a Service the user brings only has its selector changed.
import type { V1Service } from '@kubernetes/client-node';
import { API_VERSION, REVISION_LABEL, ROLLOUT_KIND, ROLLOUT_LABEL } from '../../api/index.js';
import type { RolloutIdentity } from '../../rollout/seams.js';

export function revisionService(base: V1Service, name: string, revision: string, rollout: RolloutIdentity): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: rollout.namespace,
      labels: { ...base.metadata?.labels, [ROLLOUT_LABEL]: rollout.name },
      ownerReferences: [{ apiVersion: API_VERSION, kind: ROLLOUT_KIND, name: rollout.name, uid: rollout.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      type: 'ClusterIP',
      selector: { ...base.spec?.selector, [REVISION_LABEL]: revision },
      ports: (base.spec?.ports ?? []).map((p) => ({
        port: p.port,
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
        ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
        ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
      })),
    },
  };
}

/** The revision a Service selects, by the revision label. */
export function selectedRevision(service: V1Service | undefined): string | undefined {
  return service?.spec?.selector?.[REVISION_LABEL];
}
