// Every API call the controller and its webhook make, as RBAC attributes: one list that
// `clairvoyance doctor` checks with access reviews and the chart test holds the chart to.

export interface Permission {
  group: string;
  resource: string;
  verb: string;
  subresource?: string;
  /** Namespaced resources are checked in the controller's own namespace when `own`. */
  scope: 'cluster' | 'any-namespace' | 'own-namespace';
  name?: string;
  /** Why it is needed, shown when it is missing. */
  why: string;
  /** Only with the admission webhook, or only with leader election. */
  needs?: 'webhook' | 'leader-election';
}

const CACHED = ['rollouts', 'analysistemplates', 'contextpolicies', 'changes'];
const CLUSTER_CACHED = ['clusteranalysistemplates', 'clustercontextpolicies'];

export function controllerPermissions(names: { lease: string; webhookConfiguration: string; tlsSecret: string }): Permission[] {
  const list: Permission[] = [];
  for (const verb of ['list', 'watch']) {
    for (const resource of CACHED) list.push({ group: 'clairvoyance.dev', resource, verb, scope: 'any-namespace', why: 'the informer caches' });
    for (const resource of CLUSTER_CACHED) list.push({ group: 'clairvoyance.dev', resource, verb, scope: 'cluster', why: 'the informer caches' });
    for (const [group, resource] of [
      ['apps', 'deployments'],
      ['apps', 'replicasets'],
    ] as const)
      list.push({ group, resource, verb, scope: 'any-namespace', why: 'the informer caches' });
    list.push({ group: '', resource: 'namespaces', verb, scope: 'cluster', why: 'namespace labels select policies and gated namespaces' });
  }
  list.push(
    { group: 'clairvoyance.dev', resource: 'rollouts', subresource: 'status', verb: 'patch', scope: 'any-namespace', why: 'progress lives in Rollout status' },
    { group: 'clairvoyance.dev', resource: 'contextpolicies', subresource: 'status', verb: 'patch', scope: 'any-namespace', why: 'the policy audit' },
    { group: 'clairvoyance.dev', resource: 'changes', verb: 'get', scope: 'any-namespace', why: 'the change ledger re-reads a Change after a conflict' },
    { group: 'clairvoyance.dev', resource: 'changes', verb: 'create', scope: 'any-namespace', why: 'the change ledger: one Change per change' },
    { group: 'clairvoyance.dev', resource: 'changes', verb: 'delete', scope: 'any-namespace', why: 'the change ledger retention' },
    { group: 'clairvoyance.dev', resource: 'changes', subresource: 'status', verb: 'patch', scope: 'any-namespace', why: "each change's timeline and figures" },
    { group: 'clairvoyance.dev', resource: 'clustercontextpolicies', subresource: 'status', verb: 'patch', scope: 'cluster', why: 'the policy audit' },
    { group: 'apps', resource: 'deployments', verb: 'patch', scope: 'any-namespace', why: 'the adopted Deployment is scaled down' },
    { group: 'apps', resource: 'replicasets', verb: 'create', scope: 'any-namespace', why: 'one ReplicaSet per revision' },
    { group: 'apps', resource: 'replicasets', verb: 'patch', scope: 'any-namespace', why: 'canary and stable are scaled' },
    { group: '', resource: 'events', verb: 'create', scope: 'any-namespace', why: 'Events on Rollouts' },
    { group: '', resource: 'services', verb: 'get', scope: 'any-namespace', why: 'traffic.gatewayAPI: the stable and canary Services' },
    {
      group: '',
      resource: 'services',
      verb: 'create',
      scope: 'any-namespace',
      why: 'traffic.gatewayAPI: the stable and canary Services are created when missing',
    },
    { group: '', resource: 'services', verb: 'patch', scope: 'any-namespace', why: 'traffic.gatewayAPI: the Services select their revisions' },
    {
      group: 'discovery.k8s.io',
      resource: 'endpointslices',
      verb: 'list',
      scope: 'any-namespace',
      why: "traffic.gatewayAPI: the canary Service's ready endpoints",
    },
    {
      group: 'gateway.networking.k8s.io',
      resource: 'httproutes',
      verb: 'get',
      scope: 'any-namespace',
      why: 'traffic.gatewayAPI: route weights and acceptance',
    },
    {
      group: 'gateway.networking.k8s.io',
      resource: 'httproutes',
      verb: 'patch',
      scope: 'any-namespace',
      why: 'traffic.gatewayAPI: route weights and header routes',
    },
    { group: '', resource: 'configmaps', verb: 'get', scope: 'any-namespace', why: 'flagd flag stores' },
    { group: '', resource: 'configmaps', verb: 'patch', scope: 'any-namespace', why: 'the flag kill switch (flagd ConfigMap)' },
    {
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'get',
      scope: 'own-namespace',
      name: names.lease,
      why: 'leader election',
      needs: 'leader-election',
    },
    {
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'update',
      scope: 'own-namespace',
      name: names.lease,
      why: 'leader election',
      needs: 'leader-election',
    },
    { group: '', resource: 'secrets', verb: 'get', scope: 'own-namespace', name: names.tlsSecret, why: "the webhook's serving certificate", needs: 'webhook' },
    {
      group: '',
      resource: 'secrets',
      verb: 'update',
      scope: 'own-namespace',
      name: names.tlsSecret,
      why: "the webhook's certificate rotation",
      needs: 'webhook',
    },
    {
      group: 'admissionregistration.k8s.io',
      resource: 'validatingwebhookconfigurations',
      verb: 'patch',
      scope: 'cluster',
      name: names.webhookConfiguration,
      why: 'the webhook registers itself',
      needs: 'webhook',
    },
    {
      group: 'admissionregistration.k8s.io',
      resource: 'mutatingwebhookconfigurations',
      verb: 'patch',
      scope: 'cluster',
      name: names.webhookConfiguration,
      why: 'the webhook registers itself',
      needs: 'webhook',
    },
  );
  return list;
}

/** `verb group/resource[/subresource][ name]`, as `kubectl auth can-i` would read. */
export function describePermission(p: Permission): string {
  const res = `${p.resource}${p.group ? `.${p.group}` : ''}${p.subresource ? `/${p.subresource}` : ''}`;
  return `${p.verb} ${res}${p.name ? ` ${p.name}` : ''}`;
}

/** The attributes of an access review for `p`, with the controller's namespace where the permission lives there. */
export function resourceAttributes(p: Permission, controllerNamespace: string): Record<string, string> {
  return {
    group: p.group,
    resource: p.resource,
    verb: p.verb,
    ...(p.subresource ? { subresource: p.subresource } : {}),
    ...(p.name ? { name: p.name } : {}),
    ...(p.scope === 'own-namespace' ? { namespace: controllerNamespace } : {}),
  };
}
