// The entry of a webhook worker (`clairvoyance run --webhook-workers N`): the caches the
// admission handlers read, and nothing of the controller beside them.
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SharedInformer } from '../kube/index.js';
import { loadClusterAccess } from '../kube/cluster-access.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { startTracingFromEnv } from '../telemetry/start-tracing.js';
import { serveAsWebhookWorker, WEBHOOK_WORKER_ENV, type WorkerConfig, type WorkerSource } from '../webhook/workers.js';
import { CachedPolicySource } from './cached-policy-source.js';
import { createInformers } from './informers.js';

/** This module's path, which the primary gives node:cluster to run. */
export const WEBHOOK_WORKER_ENTRY = fileURLToPath(import.meta.url);

async function policyCaches(config: WorkerConfig, logger: Logger): Promise<WorkerSource> {
  // Admission spans, when an OTLP endpoint is configured, come from the workers that serve it.
  const tracing = await startTracingFromEnv();
  const kc = await loadClusterAccess(config.kubeconfig);
  const informers = createInformers(kc, { namespaces: config.namespaces, logger: logger.child({ subsystem: 'kube' }), observer: {} });
  // What CachedPolicySource reads; the controller's other caches stay unstarted.
  const used: SharedInformer<KubernetesObject>[] = [
    informers.contextPolicies,
    informers.clusterContextPolicies,
    informers.rollouts,
    informers.deployments,
    informers.namespaces,
  ];
  for (const informer of used) informer.start();
  while (!used.every((i) => i.hasSynced())) await new Promise((r) => setTimeout(r, 50));
  return {
    source: new CachedPolicySource(informers, logger.child({ subsystem: 'gates' })),
    stop: async () => {
      await Promise.all(used.map((i) => i.stop()));
      await tracing?.shutdown();
    },
  };
}

if (cluster.isWorker && process.env[WEBHOOK_WORKER_ENV] === '1') {
  serveAsWebhookWorker(policyCaches, createLogger);
}
