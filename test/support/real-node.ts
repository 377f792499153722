// Pods that run code: the demo application's image on the stack's real node, a Service
// in front of it, and a load generator that calls the Service's ClusterIP the way a
// client in the cluster would (a new connection per request, so kube-proxy's split of
// connections is the split of requests).
import { request } from 'node:http';
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1EnvVar } from '@kubernetes/client-node';
import { beforeAll } from 'vitest';
import { DEMO_APP_IMAGE } from '../../dev/images/build.js';
import { REAL_NODE_NAME, realNodePlacement } from '../../dev/stack/node-config.js';
import { REVISION_LABEL } from '../../src/controller/labels.js';
import { kubeConfig, kubectl } from './cluster.js';

/** Fails (never skips) the file when the stack has no real node: CI cannot go green without it. */
export function requireRealNode(): void {
  beforeAll(async () => {
    let ready = false;
    try {
      const node = await kubeConfig().makeApiClient(CoreV1Api).readNode({ name: REAL_NODE_NAME });
      ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    } catch {
      /* missing */
    }
    if (!ready) {
      throw new Error(
        `node ${REAL_NODE_NAME} is missing or not Ready: these tests need pods that run code; start the stack with its real node (npm run stack:up, without STACK_NODES=kwok)`,
      );
    }
  });
}

export interface AppBehaviour {
  errorRate?: number;
  latencyMs?: number;
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

/** A Deployment of the demo application on the real node, scraped through pod discovery. */
export function demoAppDeployment(name: string, replicas: number, behaviour: AppBehaviour = {}): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' } },
        spec: {
          ...realNodePlacement,
          terminationGracePeriodSeconds: 5,
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'app',
              image: DEMO_APP_IMAGE,
              imagePullPolicy: 'Never',
              ports: [{ name: 'http', containerPort: 8080 }],
              env: behaviourEnv(behaviour),
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
            },
          ],
        },
      },
    },
  };
}

export async function createDemoApp(namespace: string, name: string, replicas: number, behaviour: AppBehaviour = {}): Promise<string> {
  const kc = kubeConfig();
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: demoAppDeployment(name, replicas, behaviour) });
  const svc = await kc.makeApiClient(CoreV1Api).createNamespacedService({
    namespace,
    body: { metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
  });
  const ip = svc.spec?.clusterIP;
  if (!ip) throw new Error(`Service ${namespace}/${name} has no ClusterIP`);
  return ip;
}

/** Sets the behaviour of the Deployment's pod template: a new revision with its own "bug". */
export async function setBehaviour(namespace: string, name: string, behaviour: AppBehaviour): Promise<void> {
  const patch = [{ op: 'replace', path: '/spec/template/spec/containers/0/env', value: behaviourEnv(behaviour) }];
  const res = await kubectl(['patch', `deployment/${name}`, '-n', namespace, '--type=json', '-p', JSON.stringify(patch)]);
  if (res.code !== 0) throw new Error(`patching deployment/${name}: ${res.stderr}`);
}

export interface LoadStats {
  sent: number;
  failed: number;
  byRevision: Record<string, number>;
  byStatus: Record<string, number>;
}

/** Calls http://ip:port/ at a fixed rate, one connection per request, counting who answered. */
export class ServiceLoad {
  private timer: NodeJS.Timeout | undefined;
  private stats: LoadStats = { sent: 0, failed: 0, byRevision: {}, byStatus: {} };

  constructor(
    private readonly ip: string,
    private readonly port = 80,
    private readonly rps = 40,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.fire(), 1000 / this.rps);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Counts since the last reset, then starts counting afresh. */
  take(): LoadStats {
    const s = this.stats;
    this.stats = { sent: 0, failed: 0, byRevision: {}, byStatus: {} };
    return s;
  }

  private fire(): void {
    const stats = this.stats;
    stats.sent++;
    const req = request({ host: this.ip, port: this.port, path: '/', agent: false, timeout: 2000 }, (res) => {
      const rev = String(res.headers['x-revision'] ?? 'unknown');
      stats.byRevision[rev] = (stats.byRevision[rev] ?? 0) + 1;
      stats.byStatus[String(res.statusCode)] = (stats.byStatus[String(res.statusCode)] ?? 0) + 1;
      res.resume();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => stats.failed++);
    req.end();
  }
}
