// The checkout Deployment as each change writes it. `compliant: false` is the
// first draft a generator produces without production context: no owner, no
// metrics wiring, no readiness probe, no flag. The pods run the demo application on
// the stack's real node; a revision's behaviour (its bug) is in its pod template.
import type { V1Deployment } from '@kubernetes/client-node';
import { ContractAnnotations, ProvenanceAnnotations, type Origin } from '../../src/api/index.js';
import { behaviourEnv, demoAppContainer, demoAppPodBasics, type AppBehaviour } from '../stand-in/pod.js';

export interface ChangeOptions {
  version: string;
  origin: Origin;
  compliant: boolean;
  /** When the change was written, for cycle time (authored -> stable). */
  authoredMinutesAgo?: number;
  provides?: string;
  /** How this revision's pods behave: error rate, telemetry. */
  behaviour?: AppBehaviour;
}

export type CheckoutChange = V1Deployment & { metadata: { name: string }; version: string; origin: Origin; behaviour?: AppBehaviour };

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
  const app = demoAppContainer('checkout', o.behaviour);
  // The first draft has what a generator writes without context: an image and a command.
  const container = o.compliant ? app : { name: app.name, image: app.image, imagePullPolicy: app.imagePullPolicy, env: behaviourEnv(o.behaviour ?? {}) };
  if (o.compliant) Object.assign(annotations, demoAppPodBasics.annotations);
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
      template: { metadata: { labels: { app: 'checkout' }, annotations }, spec: { ...demoAppPodBasics.spec, containers: [container] } },
    },
    version: o.version,
    origin: o.origin,
    ...(o.behaviour ? { behaviour: o.behaviour } : {}),
  };
}
