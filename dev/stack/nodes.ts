// Fake Nodes for kwok to manage: Pods scheduled onto them become Running and Ready.
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { KWOK_NODE_ANNOTATION } from './components.js';

function core(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

function fakeNode(name: string): V1Node {
  // Fake nodes run no containers, so capacity only bounds scheduling: room for benchmarks.
  const capacity = { cpu: '1000', memory: '4Ti', pods: '5000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    status: { capacity, allocatable: capacity },
  };
}

export async function createFakeNodes(kubeconfig: string, count: number): Promise<void> {
  const api = core(kubeconfig);
  for (let i = 0; i < count; i++) {
    try {
      await api.createNode({ body: fakeNode(`kwok-node-${i}`) });
    } catch (err) {
      if (!String(err).includes('AlreadyExists') && (err as { code?: number }).code !== 409) throw err;
    }
  }
}

export async function readyNodeCount(kubeconfig: string): Promise<number> {
  try {
    const nodes = await core(kubeconfig).listNode();
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  } catch {
    return 0;
  }
}

export async function defaultServiceAccountExists(kubeconfig: string): Promise<boolean> {
  try {
    await core(kubeconfig).readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  } catch {
    return false;
  }
}
