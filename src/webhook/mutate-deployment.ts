import { isDeepStrictEqual } from 'node:util';
import { ADMITTED_AT_ANNOTATION } from '../api/index.js';
import { allow, isRecord, type AdmissionResponse } from './admission-review.js';
import { deploymentOf, isGated, requestNamespace, type ReviewHandler } from './handler.js';
import { validateDeployment } from './validate-deployment.js';

export type JsonPatchOp = { op: 'add' | 'replace'; path: string; value: unknown };

/** RFC 6901: '~' and '/' in a key become '~0' and '~1'. */
export const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Keeps adopted Deployments at zero replicas once handed over (the Rollout's ReplicaSets run the pods) and
 * stamps when a new pod template was admitted, the start of the gate clock. In ungated
 * namespaces it also carries the context rules' warnings, which can never deny there: one
 * webhook call per apply instead of two, so a slow webhook costs an ungated apply once.
 */
export const mutateDeployment: ReviewHandler = (request, deps) => {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow(request.uid);
  const mutated = mutation(request, deps);
  if (isGated(deps.source, requestNamespace(request))) return mutated;
  const { warnings, auditAnnotations } = validateDeployment(request, deps);
  return { ...mutated, ...(warnings ? { warnings } : {}), ...(auditAnnotations ? { auditAnnotations } : {}) };
};

const mutation = (request: Parameters<ReviewHandler>[0], { source, now = () => new Date() }: Parameters<ReviewHandler>[1]): AdmissionResponse => {
  const namespace = requestNamespace(request);
  const object = deploymentOf(request.object, namespace);
  const name = object.metadata?.name ?? request.name;
  const patch: JsonPatchOp[] = [];
  // Only once the Rollout's pods serve in its place: zeroing a Deployment whose pods are
  // still the only ones serving would be an outage (and `scaleDown: never` leaves it alone).
  const adopted =
    name !== undefined &&
    source
      .rolloutsOf(namespace, name)
      .some((r) => r.spec.workloadRef?.name === name && r.status?.adopted === true && (r.spec.workloadRef.scaleDown ?? 'onsuccess') !== 'never');
  // 'add' replaces an existing member, so one op covers both cases.
  if (adopted && object.spec?.replicas !== 0) patch.push({ op: 'add', path: '/spec/replicas', value: 0 });
  const stamp = admittedAt(request.operation, request.oldObject, request.object, now);
  if (stamp !== undefined) patch.push(...annotationPatch(request.object, stamp));
  if (patch.length === 0) return allow(request.uid);
  return allow(request.uid, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') });
};

const annotationsOf = (o: unknown): Record<string, unknown> | undefined =>
  isRecord(o) && isRecord(o.metadata) && isRecord(o.metadata.annotations) ? o.metadata.annotations : undefined;

/**
 * The admitted-at value to set, if any: now for a new pod template; on an unchanged
 * template the previous stamp is carried over when an apply dropped it, so the gate
 * clock does not restart (or vanish) on a scale or label change.
 */
function admittedAt(operation: string, oldObject: unknown, object: unknown, now: () => Date): string | undefined {
  const template = (o: unknown): unknown => (isRecord(o) && isRecord(o.spec) ? o.spec.template : undefined);
  if (operation === 'CREATE' || !isDeepStrictEqual(template(oldObject), template(object))) {
    return now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }
  const previous = annotationsOf(oldObject)?.[ADMITTED_AT_ANNOTATION];
  const current = annotationsOf(object)?.[ADMITTED_AT_ANNOTATION];
  return typeof previous === 'string' && current === undefined ? previous : undefined;
}

function annotationPatch(object: unknown, value: string): JsonPatchOp[] {
  if (annotationsOf(object) !== undefined) {
    return [{ op: 'add', path: `/metadata/annotations/${pointerSegment(ADMITTED_AT_ANNOTATION)}`, value }];
  }
  const hasMetadata = isRecord(object) && isRecord(object.metadata);
  return hasMetadata
    ? [{ op: 'add', path: '/metadata/annotations', value: { [ADMITTED_AT_ANNOTATION]: value } }]
    : [{ op: 'add', path: '/metadata', value: { annotations: { [ADMITTED_AT_ANNOTATION]: value } } }];
}
