import { KubeConfig } from '@kubernetes/client-node';

/** An explicit path, else in cluster (unless $KUBECONFIG is set), else the default chain. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
