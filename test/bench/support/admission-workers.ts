// What serving admission from several event loops buys: node:cluster workers, each with
// its own informer caches (policies, namespaces, Deployments, Rollouts) and the webhook's
// request listener, sharing one HTTPS port. The same evaluation code as `clairvoyance run`'s
// webhook, without the controller beside it; WORKERS=1 is the one-loop baseline.
// Prints `listening <port>` once every worker serves.
import cluster from 'node:cluster';
import { KubeConfig } from '@kubernetes/client-node';
import { CachedPolicySource } from '../../../src/controller/cached-policy-source.js';
import { createInformers } from '../../../src/controller/informers.js';
import { silentLogger as kubeSilent } from '../../../src/kube/logger.js';
import { createCertificateAuthority } from '../../../src/pki/certificates.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createWebhookApp } from '../../../src/webhook/app.js';
import { listenHttps } from '../../../src/webhook/server.js';

const WORKERS = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  const ca = await createCertificateAuthority('workers-ca', 1);
  const leaf = await ca.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
  // Every worker listens on port 0: the primary binds one random port for that key and
  // shares it (a worker asking for the number it got would ask the primary to bind it again).
  let ready = 0;
  for (let i = 0; i < WORKERS; i++) {
    const worker = cluster.fork({ WORKER_CERT: leaf.certPem, WORKER_KEY: leaf.keyPem });
    worker.on('message', (m: { listening?: number }) => {
      if (m.listening !== undefined && ++ready === WORKERS) process.stdout.write(`listening ${m.listening}\n`);
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG!);
  const informers = createInformers(kc, { namespaces: [], logger: kubeSilent, observer: {} });
  const used = [informers.contextPolicies, informers.clusterContextPolicies, informers.rollouts, informers.deployments, informers.namespaces];
  for (const i of used) i.start();
  while (!used.every((i) => i.hasSynced())) await new Promise((r) => setTimeout(r, 50));
  const source = new CachedPolicySource(informers, silentLogger);
  const app = createWebhookApp({ source, logger: silentLogger });
  const { port } = await listenHttps(app, { certPem: process.env.WORKER_CERT!, keyPem: process.env.WORKER_KEY! }, 0, '127.0.0.1');
  // Exit (rather than die) on SIGTERM, so --cpu-prof and similar flags get to write.
  process.on('SIGTERM', () => process.exit(0));
  process.send!({ listening: port });
}
