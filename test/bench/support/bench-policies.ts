// The 20-rule policy of the admission benchmark, for Clairvoyance and, as close as a
// Kyverno ClusterPolicy expresses each rule, for Kyverno. KYVERNO_DIFFERENCES says where
// the two are not the same check.
import type { ContextPolicySpecInput } from '../../../src/api/index.js';

/** Twenty rules across every kind, the expensive ones (CEL, contracts) included. */
export const RULES: ContextPolicySpecInput['rules'] = [
  { id: 'owner-team', rationale: 'r', ownership: { labels: ['team'] } },
  { id: 'owner-runbook', rationale: 'r', ownership: { annotations: ['runbook'] } },
  { id: 'metrics', rationale: 'r', observability: { metrics: true } },
  { id: 'otel-env', rationale: 'r', observability: { otelEnv: ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT'] } },
  { id: 'readiness', rationale: 'r', observability: { readinessProbe: true } },
  { id: 'flag', rationale: 'r', rolloutConvention: { requireFlag: true } },
  { id: 'non-root', rationale: 'r', security: { runAsNonRoot: true } },
  { id: 'limits', rationale: 'r', security: { requireResourceLimits: true } },
  { id: 'registries', rationale: 'r', security: { allowedRegistries: ['registry.example.com/', 'mirror.example.com/'] } },
  { id: 'data-class', rationale: 'r', security: { dataClass: { requirements: [{ value: 'pci', requireAnnotations: ['clairvoyance.dev/reviewed-by'] }] } } },
  { id: 'contracts', rationale: 'r', contract: {} },
  ...Array.from({ length: 9 }, (_, i) => ({
    id: `cel-${i}`,
    rationale: 'r',
    cel: { expression: celRule(i), message: 'm' },
  })),
];

function celRule(i: number): string {
  return `object.spec.replicas <= ${10 + i} && object.spec.template.spec.containers.all(c, has(c.resources.limits))`;
}

const T = 'object.spec.template';
const C = `${T}.spec.containers`;
const has = (map: string, key: string): string => `has(${map}) && '${key}' in ${map} && ${map}['${key}'] != ''`;

/** Rule id → CEL of a Kyverno ClusterPolicy rule (validate.cel), same meaning where it can be. */
const KYVERNO_CEL: Record<string, string> = {
  'owner-team': has('object.metadata.labels', 'team'),
  'owner-runbook': has('object.metadata.annotations', 'runbook'),
  metrics: `${C}.exists(c, has(c.ports) && c.ports.exists(p, has(p.name) && p.name == 'metrics')) || (has(${T}.metadata.annotations) && 'prometheus.io/scrape' in ${T}.metadata.annotations && ${T}.metadata.annotations['prometheus.io/scrape'] == 'true')`,
  'otel-env': `${C}.all(c, has(c.env) && ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT'].all(n, c.env.exists(e, e.name == n)))`,
  readiness: `${C}.all(c, has(c.readinessProbe))`,
  flag: has(`${T}.metadata.annotations`, 'clairvoyance.dev/flag'),
  'non-root': `${C}.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot : (has(${T}.spec.securityContext) && has(${T}.spec.securityContext.runAsNonRoot) && ${T}.spec.securityContext.runAsNonRoot))`,
  limits: `${C}.all(c, has(c.resources) && has(c.resources.limits) && 'cpu' in c.resources.limits && 'memory' in c.resources.limits)`,
  registries: `${C}.all(c, c.image.startsWith('registry.example.com/') || c.image.startsWith('mirror.example.com/'))`,
  'data-class': `!(has(namespaceObject.metadata.labels) && 'clairvoyance.dev/data-class' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['clairvoyance.dev/data-class'] == 'pci') || ${has(`${T}.metadata.annotations`, 'clairvoyance.dev/reviewed-by')}`,
  ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`cel-${i}`, celRule(i)])),
};

const ANN = (o: string): string => `${o}.spec.template.metadata.annotations`;
const provides = (o: string): string => `(has(${ANN(o)}) && 'clairvoyance.dev/provides' in ${ANN(o)} ? ${ANN(o)}['clairvoyance.dev/provides'].split(',') : [])`;

/** Contracts in CEL: every contract the old object provided is still provided, or no workload consumes it. */
const CONTRACTS_CEL = `request.operation != 'UPDATE' || ${provides('oldObject')}.all(p, p in ${provides('object')} || !(p in variables.consumed))`;

export const KYVERNO_DIFFERENCES: Record<'ValidatingPolicy' | 'ClusterPolicy', string[]> = {
  ValidatingPolicy: [
    "contracts: CEL over globalContext.get() of a GlobalContextEntry (all Deployments, projected to their consumed contracts, kept by Kyverno's informer); same meaning for single-contract annotations, Clairvoyance also parses comma lists on the consumer side and names the consumer",
    'registries: containers only (Clairvoyance also checks init containers and normalises short image names)',
    'one ValidatingPolicy with 20 validations; Kyverno stops at the first failing one, Clairvoyance reports every violated rule with its fix',
  ],
  ClusterPolicy: [
    'contracts: a JMESPath deny rule over the same GlobalContextEntry; it denies when any contract the OLD object provides is consumed, not only the dropped ones',
    'registries: containers only (Clairvoyance also checks init containers and normalises short image names)',
    'kyverno.io/v1 ClusterPolicy is deprecated in 1.19 (Kyverno warns so); 19 rules use validate.cel, one JMESPath',
  ],
};

export const GLOBAL_CONTEXT_ENTRY = {
  apiVersion: 'kyverno.io/v2alpha1',
  kind: 'GlobalContextEntry',
  metadata: { name: 'bench-deployments' },
  spec: {
    kubernetesResource: { group: 'apps', version: 'v1', resource: 'deployments' },
    projections: [{ name: 'consumed', jmesPath: `[].spec.template.metadata.annotations."clairvoyance.dev/consumes" | [?@ != null]` }],
  },
};

/** Kyverno's current policy type: one ValidatingPolicy, 20 validations. */
export function kyvernoValidatingPolicy(name: string): Record<string, unknown> {
  return {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'ValidatingPolicy',
    metadata: { name },
    spec: {
      validationActions: ['Deny'],
      failurePolicy: 'Fail',
      evaluation: { background: { enabled: false } },
      matchConstraints: {
        resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }],
      },
      variables: [{ name: 'consumed', expression: `globalContext.get('bench-deployments', 'consumed')` }],
      validations: RULES.map((r) => ({ expression: r.id === 'contracts' ? CONTRACTS_CEL : KYVERNO_CEL[r.id]!, message: r.id })),
    },
  };
}

/** The deprecated kyverno.io/v1 ClusterPolicy: one rule per Clairvoyance rule. */
export function kyvernoClusterPolicy(name: string): Record<string, unknown> {
  const match = { any: [{ resources: { kinds: ['Deployment'], operations: ['CREATE', 'UPDATE'] } }] };
  const rules: Record<string, unknown>[] = RULES.map((r) =>
    r.id === 'contracts'
      ? {
          name: r.id,
          match,
          context: [{ name: 'consumed', globalReference: { name: 'bench-deployments.consumed' } }],
          preconditions: { all: [{ key: '{{ request.operation }}', operator: 'Equals', value: 'UPDATE' }] },
          validate: {
            failureAction: 'Enforce',
            message: 'a dropped contract is still consumed',
            deny: {
              conditions: {
                any: [
                  {
                    key: `{{ split(request.oldObject.spec.template.metadata.annotations."clairvoyance.dev/provides" || '', ',') }}`,
                    operator: 'AnyIn',
                    value: '{{ consumed }}',
                  },
                ],
              },
            },
          },
        }
      : { name: r.id, match, validate: { failureAction: 'Enforce', cel: { expressions: [{ expression: KYVERNO_CEL[r.id]!, message: r.id }] } } },
  );
  return { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name }, spec: { background: false, failurePolicy: 'Fail', rules } };
}
