// The checkout Deployment as each change writes it. `compliant: false` is the
// first draft a generator produces without production context: no owner, no
// metrics wiring, no readiness probe, no flag.
import type { V1Deployment } from '@kubernetes/client-node';
import { ContractAnnotations, ProvenanceAnnotations, type Origin } from '../../src/api/index.js';

export interface ChangeOptions {
  version: string;
  origin: Origin;
  compliant: boolean;
  /** When the change was written, for cycle time (authored -> stable). */
  authoredMinutesAgo?: number;
  provides?: string;
}

export type CheckoutChange = V1Deployment & { metadata: { name: string }; version: string; origin: Origin };

export function checkoutDeployment(o: ChangeOptions): CheckoutChange {
  const authoredAt = new Date(Date.now() - (o.authoredMinutesAgo ?? 10) * 60_000).toISOString();
  const annotations: Record<string, string> = {
    [ProvenanceAnnotations.origin]: o.origin,
    [ProvenanceAnnotations.authoredAt]: authoredAt,
    [ProvenanceAnnotations.changeId]: `checkout-${o.version}`,
    [ContractAnnotations.provides]: o.provides ?? 'orders-api@v1,orders-api@v2',
  };
  if (o.origin !== 'human') annotations[ProvenanceAnnotations.generator] = 'code-assistant';
  if (o.compliant) annotations[ProvenanceAnnotations.flag] = 'new-checkout';
  const container = {
    name: 'checkout',
    image: `registry.example.com/shop/checkout:${o.version}`,
    ...(o.compliant
      ? {
          ports: [{ name: 'metrics', containerPort: 9090 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4318' }],
        }
      : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'checkout',
      namespace: 'demo-shop',
      ...(o.compliant ? { labels: { team: 'shop' }, annotations: { runbook: 'https://wiki.example.com/runbooks/checkout' } } : {}),
    },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' }, annotations }, spec: { containers: [container] } },
    },
    version: o.version,
    origin: o.origin,
  };
}
