// AdmissionReview builders for webhook tests.
import type { V1Deployment } from '@kubernetes/client-node';

export function review(
  object: unknown,
  opts: { operation?: 'CREATE' | 'UPDATE' | 'DELETE'; oldObject?: unknown; namespace?: string; dryRun?: boolean; kind?: string; uid?: string } = {},
): Record<string, unknown> {
  const kind = opts.kind ?? 'Deployment';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? 'uid-1',
      kind: kind === 'Deployment' ? { group: 'apps', version: 'v1', kind } : { group: 'clairvoyance.dev', version: 'v1alpha1', kind },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: (object as V1Deployment | undefined)?.metadata?.name,
      namespace: opts.namespace ?? 'shop',
      operation: opts.operation ?? 'CREATE',
      userInfo: { username: 'alice' },
      object,
      ...(opts.oldObject !== undefined ? { oldObject: opts.oldObject } : {}),
      dryRun: opts.dryRun ?? false,
    },
  };
}
