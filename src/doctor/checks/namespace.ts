import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1Namespace } from '@kubernetes/client-node';
import {
  CLUSTER_CONTEXT_POLICY_KIND,
  CONTEXT_POLICY_KIND,
  GATED_NAMESPACE_LABEL,
  GROUP,
  rolloutSpecSchema,
  VERSION,
  type ClusterContextPolicy,
  type ContextPolicy,
  type RolloutSpec,
} from '../../api/index.js';
import { policyCoversNamespace, policyName } from '../../gates/match.js';
import { isNotFound } from '../../kube/errors.js';
import { fail, pass, type Check, type CheckResult } from '../check.js';

const GROUP_NAME = 'Namespace';

interface Listed<T> {
  items: T[];
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** For one namespace: gated or not, the policies that apply, and each Rollout's workload and flag source. */
export const namespaceCheck: Check = async ({ kc, namespace }) => {
  if (!namespace) return [];
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let ns: V1Namespace;
  try {
    ns = await core.readNamespace({ name: namespace });
  } catch (err) {
    if (isNotFound(err)) return [fail(GROUP_NAME, `namespace ${namespace} does not exist`, `kubectl create namespace ${namespace}`)];
    throw err;
  }
  const results: CheckResult[] = [];
  const gated = ns.metadata?.labels?.[GATED_NAMESPACE_LABEL] === 'true';
  results.push(
    pass(
      GROUP_NAME,
      gated
        ? `${namespace} is gated (${GATED_NAMESPACE_LABEL}=true): the webhook fails closed here, no change is admitted without a verdict`
        : `${namespace} is not gated: the webhook fails open here (label it ${GATED_NAMESPACE_LABEL}=true to fail closed)`,
    ),
  );

  const local = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'contextpolicies' })) as Listed<ContextPolicy>;
  const cluster = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'clustercontextpolicies' })) as Listed<ClusterContextPolicy>;
  const applying = [
    ...local.items.map((p) => ({ ...p, kind: CONTEXT_POLICY_KIND }) as ContextPolicy),
    ...cluster.items.map((p) => ({ ...p, kind: CLUSTER_CONTEXT_POLICY_KIND }) as ClusterContextPolicy),
  ].filter((p) => policyCoversNamespace(p, namespace, ns));
  results.push(
    pass(
      GROUP_NAME,
      applying.length === 0
        ? `no ContextPolicy or ClusterContextPolicy applies to ${namespace}`
        : `policies that apply: ${applying.map((p) => `${policyName(p)} (${p.spec.enforcement ?? 'Enforce'}, ${p.spec.rules.length} rule${p.spec.rules.length === 1 ? '' : 's'})`).join(', ')}`,
    ),
  );

  const rollouts = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'rollouts' })) as Listed<{
    metadata: { name: string };
    spec?: unknown;
  }>;
  if (rollouts.items.length === 0) results.push(pass(GROUP_NAME, `no Rollout in ${namespace}: Deployments here run as plain Deployments`));
  const apps = kc.makeApiClient(AppsV1Api);
  for (const r of rollouts.items) {
    const parsed = rolloutSpecSchema.safeParse(r.spec);
    const name = `Rollout ${namespace}/${r.metadata.name}`;
    if (!parsed.success) {
      results.push(
        fail(GROUP_NAME, `${name} has an invalid spec: ${parsed.error.issues[0]?.message ?? 'invalid'}`, `clairvoyance lint, then fix and re-apply it`),
      );
      continue;
    }
    results.push(...(await rolloutFindings(name, namespace, parsed.data, { core, apps, custom })));
  }
  return results;
};

async function rolloutFindings(
  name: string,
  namespace: string,
  spec: RolloutSpec,
  api: { core: CoreV1Api; apps: AppsV1Api; custom: CustomObjectsApi },
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const workload = spec.workloadRef.name;
  if (!(await exists(() => api.apps.readNamespacedDeployment({ name: workload, namespace })))) {
    out.push(
      fail(
        GROUP_NAME,
        `${name}: its workloadRef Deployment ${workload} does not exist`,
        `apply Deployment ${workload} in ${namespace}, or fix spec.workloadRef.name`,
      ),
    );
  }
  const source = spec.flag?.source;
  if (!source) {
    out.push(pass(GROUP_NAME, `${name}: workload ${workload}, no flag (spec.flag)`));
    return out;
  }
  if (source.configMap) {
    const { name: cm, key } = source.configMap;
    let data: Record<string, string> | undefined;
    try {
      data = (await api.core.readNamespacedConfigMap({ name: cm, namespace })).data;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      out.push(
        fail(GROUP_NAME, `${name}: flag source ConfigMap ${cm} does not exist`, `create ConfigMap ${cm} in ${namespace} with flagd JSON under key ${key}`),
      );
      return out;
    }
    if (data?.[key] === undefined)
      out.push(fail(GROUP_NAME, `${name}: ConfigMap ${cm} has no key ${key}`, `add the flagd JSON under data.${key}, or set spec.flag.source.configMap.key`));
    else out.push(pass(GROUP_NAME, `${name}: flag ${spec.flag?.key ?? ''} in ConfigMap ${cm} (key ${key})`));
  } else if (source.featureFlag) {
    const ff = source.featureFlag.name;
    const found = await exists(() =>
      api.custom.getNamespacedCustomObject({ group: 'core.openfeature.dev', version: 'v1beta1', namespace, plural: 'featureflags', name: ff }),
    );
    if (found) out.push(pass(GROUP_NAME, `${name}: flag ${spec.flag?.key ?? ''} in FeatureFlag ${ff}`));
    else
      out.push(
        fail(
          GROUP_NAME,
          `${name}: flag source FeatureFlag ${ff} does not exist (or the OpenFeature Operator is not installed)`,
          `create FeatureFlag ${ff} in ${namespace}`,
        ),
      );
  }
  return out;
}
