// Builders for gate tests: a compliant Deployment, namespaces and policies.
import type { V1Deployment, V1Namespace } from '@kubernetes/client-node';
import {
  clusterContextPolicySchema,
  contextPolicySchema,
  type ClusterContextPolicy,
  type ContextPolicy,
  type ContextPolicySpecInput,
} from '../../../src/api/index.js';

export function deployment(
  overrides: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    templateAnnotations?: Record<string, string>;
    templateLabels?: Record<string, string>;
    image?: string;
    mutate?: (d: V1Deployment) => void;
  } = {},
): V1Deployment {
  const d: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: overrides.name ?? 'checkout',
      namespace: overrides.namespace ?? 'shop',
      labels: overrides.labels ?? { app: 'checkout', team: 'payments' },
      annotations: overrides.annotations ?? { runbook: 'https://runbooks.example/checkout' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'checkout' } },
      template: {
        metadata: {
          labels: overrides.templateLabels ?? { app: 'checkout' },
          annotations: overrides.templateAnnotations ?? {},
        },
        spec: {
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'app',
              image: overrides.image ?? 'registry.example.com/shop/checkout:1.2.3',
              ports: [{ name: 'metrics', containerPort: 9090 }],
              env: [
                { name: 'OTEL_SERVICE_NAME', value: 'checkout' },
                { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel:4318' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
              resources: { limits: { cpu: '500m', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
  overrides.mutate?.(d);
  return d;
}

export function namespace(name: string, labels: Record<string, string> = {}): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function contextPolicy(name: string, ns: string, spec: ContextPolicySpecInput): ContextPolicy {
  return contextPolicySchema.parse({
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'ContextPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
}

export function clusterPolicy(name: string, spec: ContextPolicySpecInput): ClusterContextPolicy {
  return clusterContextPolicySchema.parse({
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'ClusterContextPolicy',
    metadata: { name },
    spec,
  });
}

/** The policy of the scenario: owner, flag and metrics wiring for generated changes. */
export const AI_POLICY_RULES: ContextPolicySpecInput['rules'] = [
  {
    id: 'owner',
    rationale: 'INC-4711: an unowned service paged nobody for 3 hours.',
    reference: 'https://adr.example/17',
    ownership: { labels: ['team'], annotations: ['runbook'] },
  },
  {
    id: 'behind-flag',
    rationale: 'Generated code reaches users only behind a kill switch.',
    rolloutConvention: { requireFlag: true },
  },
  {
    id: 'metrics-wired',
    rationale: 'A canary that is not scraped cannot be judged.',
    observability: { metrics: true },
  },
];
