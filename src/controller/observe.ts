// Turns informer-cache objects into the plain ObservedState the rollout core reads.
import type { V1Deployment, V1LabelSelector, V1ReplicaSet } from '@kubernetes/client-node';
import type { ReplicaSetView, WorkloadView } from '../rollout/observed.js';
import { templateHash } from '../rollout/revision.js';
import { ADMITTED_AT_ANNOTATION, REVISION_LABEL, SCALE_DOWN_AT_ANNOTATION } from '../api/index.js';

export function selectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function workloadView(deployment: V1Deployment): WorkloadView {
  const template = deployment.spec?.template ?? {};
  const view: WorkloadView = {
    revision: templateHash(template),
    replicas: deployment.spec?.replicas ?? 1,
    templateAnnotations: template.metadata?.annotations ?? {},
    selector: selectorString(deployment.spec?.selector),
  };
  const admitted = deployment.metadata?.annotations?.[ADMITTED_AT_ANNOTATION];
  if (admitted && !Number.isNaN(Date.parse(admitted))) view.admittedAt = new Date(admitted).toISOString();
  return view;
}

export function ownedBy(rs: V1ReplicaSet, uid: string): boolean {
  return (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid);
}

export function replicaSetView(rs: V1ReplicaSet): ReplicaSetView | undefined {
  const revision = rs.metadata?.labels?.[REVISION_LABEL];
  if (!revision) return undefined;
  const view: ReplicaSetView = {
    name: rs.metadata?.name ?? '',
    revision,
    replicas: rs.spec?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
  };
  const at = rs.metadata?.annotations?.[SCALE_DOWN_AT_ANNOTATION];
  if (at) view.scaleDownAt = at;
  return view;
}
