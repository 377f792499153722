// Pods that run code: the demo application's image on the stack's real node, a Service
// in front of it, and a load generator that calls the Service's ClusterIP the way a
// client in the cluster would (a new connection per request, so kube-proxy's split of
// connections is the split of requests).
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { beforeAll } from 'vitest';
import { REAL_NODE_NAME } from '../../dev/stack/node-config.js';
import { behaviourEnv, demoAppDeployment, type AppBehaviour } from '../../dev/stand-in/pod.js';
import { kubeConfig, kubectl } from './cluster.js';

export { ServiceLoad, type LoadStats } from '../../dev/stand-in/service-load.js';

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

/**
 * A Deployment of the demo application and a Service in front of it; returns the
 * Service's ClusterIP. `podLabels` go on the pod template: the revision label there is
 * what the pods answer in X-Revision.
 */
export async function createDemoApp(
  namespace: string,
  name: string,
  replicas: number,
  behaviour: AppBehaviour = {},
  labels: Record<string, string> = {},
  podLabels: Record<string, string> = {},
): Promise<string> {
  const kc = kubeConfig();
  const body = demoAppDeployment(name, replicas, behaviour);
  body.metadata = { ...body.metadata, labels: { ...body.metadata?.labels, ...labels } };
  const template = body.spec?.template;
  if (template) template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...podLabels } };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body });
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
