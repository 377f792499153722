// The API server's audit policy: who wrote each Rollout, ReplicaSet and Deployment, at
// Metadata level (user, verb, object, no bodies). The cluster's own controllers, nodes
// and reads are left out, so the log holds the writes of the controllers under test:
// enough to count, per Rollout, which process wrote it (the sharding benchmark does).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { paths } from './paths.js';

export const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  omitManagedFields: true,
  rules: [
    { level: 'None', userGroups: ['system:serviceaccounts:kube-system', 'system:nodes'] },
    { level: 'None', users: ['system:kube-controller-manager', 'system:kube-scheduler', 'system:kube-proxy', 'system:apiserver'] },
    {
      level: 'Metadata',
      verbs: ['create', 'update', 'patch', 'delete'],
      resources: [
        { group: 'clairvoyance.dev', resources: ['rollouts', 'rollouts/status'] },
        { group: 'apps', resources: ['replicasets', 'replicasets/scale', 'deployments', 'deployments/scale'] },
      ],
    },
    { level: 'None' },
  ],
};

/** Rotated at 200 MB, two backups: a 10,000-Rollout benchmark writes about 100 MB. */
export function auditArgs(): string[] {
  writeFileSync(paths.auditPolicy, stringify(AUDIT_POLICY));
  return [
    `--audit-policy-file=${paths.auditPolicy}`,
    `--audit-log-path=${paths.auditLog}`,
    '--audit-log-format=json',
    '--audit-log-maxsize=200',
    '--audit-log-maxbackup=2',
    // Batched off the request path, so auditing adds no latency to the writes it records.
    '--audit-log-mode=batch',
  ];
}
