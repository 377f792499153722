import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION } from '../../api/index.js';
import { customResourceDefinition } from '../../api/crd.js';
import { isNotFound } from '../../kube/errors.js';
import { KubeClient } from '../../kube/rest.js';
import { VERSION as CLI_VERSION } from '../../version.js';
import { fail, pass, type Check, type CheckResult } from '../check.js';

const GROUP_NAME = 'CRDs';
const FIX = 'kubectl apply --server-side --force-conflicts -f manifests/crds/  (or: helm upgrade clairvoyance charts/clairvoyance)';

const isEmptyObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

/**
 * Key-sorted JSON, so two schemas compare by content, not by key order; an empty
 * `properties` is dropped, as the API server drops it when it stores the schema.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([k, inner]) => !(k === 'properties' && isEmptyObject(inner)))
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function servedSchema(crd: V1CustomResourceDefinition): unknown {
  return crd.spec.versions.find((v) => v.name === VERSION)?.schema?.openAPIV3Schema;
}

/** Each CRD is installed, Established, serves this API version, and its schema is this version's. */
export const crdsCheck: Check = async ({ kc }) => {
  const results: CheckResult[] = [];
  for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    const name = `${KINDS[kind].plural}.${GROUP}`;
    let live: V1CustomResourceDefinition;
    try {
      // Raw JSON: the typed client renames x-kubernetes-* keys, which would never compare equal.
      live = await KubeClient.for(kc).get<V1CustomResourceDefinition>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, { timeoutMs: 10_000 });
    } catch (err) {
      if (isNotFound(err)) {
        results.push(fail(GROUP_NAME, `${name} is not installed`, FIX));
        continue;
      }
      throw err;
    }
    const established = live.status?.conditions?.find((c) => c.type === 'Established')?.status === 'True';
    const served = live.spec.versions.find((v) => v.name === VERSION)?.served === true;
    const wanted = (customResourceDefinition(kind).spec as { versions: { schema: { openAPIV3Schema: unknown } }[] }).versions[0]?.schema.openAPIV3Schema;
    if (!established) results.push(fail(GROUP_NAME, `${name} is installed but not Established`, `kubectl describe crd ${name}`));
    else if (!served) results.push(fail(GROUP_NAME, `${name} does not serve ${VERSION}`, FIX));
    else if (canonical(servedSchema(live)) !== canonical(wanted))
      results.push(fail(GROUP_NAME, `${name} has a schema other than this version's (${CLI_VERSION})`, FIX));
    else results.push(pass(GROUP_NAME, `${name} installed, schema of this version (${CLI_VERSION})`));
  }
  return results;
};
