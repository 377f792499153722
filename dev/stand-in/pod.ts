// The demo application as a pod on the stack's real node: its image, its placement, and
// the behaviour of one revision written into the pod template's environment.
import type { V1Container, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { REVISION_LABEL } from '../../src/api/index.js';
import { DEMO_APP_IMAGE } from '../images/build.js';
import { realNodePlacement } from '../stack/node-config.js';

export interface AppBehaviour {
  /** Fraction of requests answered 500. */
  errorRate?: number;
  latencyMs?: number;
  /** all | none | requests,logs,traces */
  telemetry?: string;
}

export function behaviourEnv(b: AppBehaviour): V1EnvVar[] {
  const env: V1EnvVar[] = [
    // The pod learns its revision from its own label, as the controller sets it.
    { name: 'REVISION', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${REVISION_LABEL}']` } } },
  ];
  if (b.errorRate !== undefined) env.push({ name: 'ERROR_RATE', value: String(b.errorRate) });
  if (b.latencyMs !== undefined) env.push({ name: 'LATENCY_MS', value: String(b.latencyMs) });
  if (b.telemetry !== undefined) env.push({ name: 'TELEMETRY', value: b.telemetry });
  return env;
}

/** The app container: serves / and /metrics on 8080, Ready once /healthz answers. */
export function demoAppContainer(name: string, behaviour: AppBehaviour = {}): V1Container {
  return {
    name,
    image: DEMO_APP_IMAGE,
    imagePullPolicy: 'Never',
    ports: [{ name: 'metrics', containerPort: 8080 }],
    env: behaviourEnv(behaviour),
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
  };
}

/** What a pod template needs to land on the real node and be found by pod discovery. */
export const demoAppPodBasics = {
  annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' },
  spec: { ...realNodePlacement, terminationGracePeriodSeconds: 5, enableServiceLinks: false, automountServiceAccountToken: false },
};

/** A Deployment of the demo application on the real node, scraped through pod discovery. */
export function demoAppDeployment(name: string, replicas: number, behaviour: AppBehaviour = {}): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: demoAppPodBasics.annotations },
        spec: { ...demoAppPodBasics.spec, containers: [demoAppContainer('app', behaviour)] },
      },
    },
  };
}
