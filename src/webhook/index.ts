// The admission webhook: HTTPS server, certificates, self-registration and audit.
import type { V1LabelSelectorRequirement } from '@kubernetes/client-node';
import type { KubeConfigLike } from '../kube/rest.js';
import { Registry } from 'prom-client';
import type { PolicySource } from '../gates/index.js';
import { errorMessage } from '../kube/errors.js';
import type { LedgerEntry } from '../ledger/identity.js';
import type { Logger } from '../telemetry/logger.js';
import { createWebhookApp } from './app.js';
import { PolicyAuditor } from './audit.js';
import { WebhookCertificates, renewalTime, type ServingCertificate } from './certificates.js';
import { WebhookMetrics } from './metrics.js';
import { claimRegistration, newRunIdentity, releaseRegistration } from './lifecycle.js';
import { applyWebhookConfigurations, DEFAULT_CONFIGURATION_NAME, type RegistrationOptions, type WebhookOwner, type WebhookTarget } from './registration.js';
import { closeServer, listenHttps } from './server.js';
import { startWorkerPool, type MetricsJson, type WorkerConfig } from './workers.js';

export { createWebhookApp, WEBHOOK_PATHS, DEFAULT_MAX_BODY_BYTES, type WebhookHandler, type WebhookRoutes } from './app.js';
export { parseAdmissionReview, reviewOf, ADMISSION_API_VERSION } from './admission-review.js';
export type { AdmissionRequest, AdmissionResponse, AdmissionReviewOut } from './admission-review.js';
export { WebhookCertificates, needsRenewal, WEBHOOK_TLS_SECRET, type ServingCertificate } from './certificates.js';
export {
  webhookConfigurations,
  applyWebhookConfigurations,
  deleteWebhookConfigurations,
  DEFAULT_CONFIGURATION_NAME,
  REGISTERED_BY_ANNOTATION,
  WEBHOOK_LABELS,
  type RegistrationOptions,
  type WebhookOwner,
} from './registration.js';
export {
  claimRegistration,
  clusterRoleAsOwner,
  releaseRegistration,
  readRegistration,
  listRegistrations,
  newRunIdentity,
  LiveRegistrationError,
  type WebhookConfiguration,
} from './lifecycle.js';
export { probeWebhookEndpoint, describeEndpoint, type ProbeResult } from './endpoint-probe.js';
export { PolicyAuditor, auditPolicies } from './audit.js';
export { WebhookMetrics } from './metrics.js';
export { listenHttps } from './server.js';
export { serveAsWebhookWorker, WEBHOOK_WORKER_ENV, type MetricsJson, type WorkerConfig, type WorkerSource } from './workers.js';

const HOUR_MS = 60 * 60 * 1000;

export interface StartWebhookOptions {
  kubeConfig: KubeConfigLike;
  /** 0 picks a free port (the registration uses the real one). */
  port: number;
  host: string;
  /** The controller's namespace: holds the TLS Secret, excluded from admission. */
  namespace: string;
  source: PolicySource;
  logger: Logger;
  /** In cluster: the API server reaches the webhook through this Service (port 443). */
  inCluster?: { serviceName: string; servicePort?: number };
  /** Keep the webhook configurations current (default true). */
  register?: boolean;
  /**
   * Delete the configurations on close. Default: out of cluster yes (nothing answers at a
   * loopback URL once this process is gone); in cluster no, so a rolling restart or a
   * crash keeps gated namespaces closed while another replica serves.
   */
  unregisterOnClose?: boolean;
  /** Cluster-scoped owner of the configurations (in cluster: the chart's ClusterRole). */
  owner?: WebhookOwner;
  registry?: Registry;
  /** Name of both webhook configurations (default `clairvoyance`). */
  configurationName?: string;
  /** Extra namespaceSelector requirements, e.g. to scope a test run. */
  namespaceRequirements?: V1LabelSelectorRequirement[];
  /** Background audit period; 0 disables (run it on the leader only). Default 5 minutes. */
  auditIntervalMs?: number;
  maxBodyBytes?: number;
  certificates?: { secretName?: string; caValidDays?: number; leafValidDays?: number };
  /** How often to re-check certificates and re-apply the configurations. Default 1 hour. */
  maintenanceIntervalMs?: number;
  /** Where denials are recorded (the change ledger). */
  recordChanges?: ((namespace: string, entries: LedgerEntry[]) => void) | undefined;
  /**
   * Serve admission from `count` node:cluster workers running `entry` (each builds its own
   * caches from `config`); this process keeps certificates, registration and audit.
   * Absent or a count of 1: served here, from `source`.
   */
  workers?: { count: number; entry: string; config: WorkerConfig };
}

/** Where admission is served: this process's HTTPS server, or a pool of workers. */
interface AdmissionListener {
  port: number;
  setSecureContext(tls: ServingCertificate): void;
  close(): Promise<void>;
  /** Served from workers: what each counted (reviews, denials, durations). */
  workerMetrics?: () => Promise<MetricsJson[]>;
}

export interface RunningWebhook {
  port: number;
  caBundle: string;
  /** Served from workers: their metrics, for the caller's /metrics to add to its own. */
  workerMetrics?: () => Promise<MetricsJson[]>;
  /** The background policy audit writes status: run it on the leader alone. */
  startAudit(intervalMs?: number): void;
  stopAudit(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhook(opts: StartWebhookOptions): Promise<RunningWebhook> {
  const { logger } = opts;
  const metrics = new WebhookMetrics(opts.registry ?? new Registry());
  const serviceName = opts.inCluster?.serviceName;
  const certs = new WebhookCertificates({
    kubeConfig: opts.kubeConfig,
    namespace: opts.namespace,
    logger,
    dnsNames:
      serviceName === undefined
        ? ['localhost']
        : [serviceName, `${serviceName}.${opts.namespace}`, `${serviceName}.${opts.namespace}.svc`, `${serviceName}.${opts.namespace}.svc.cluster.local`],
    ipAddresses: ['127.0.0.1'],
    ...opts.certificates,
  });
  let current: ServingCertificate = await certs.ensure();
  const listener = await listen(opts, current, metrics);
  const { port } = listener;
  logger.info({ port, host: opts.host }, 'admission webhook listening');

  const name = opts.configurationName ?? DEFAULT_CONFIGURATION_NAME;
  const registeredBy = newRunIdentity();
  const target: WebhookTarget =
    serviceName === undefined
      ? { url: `https://127.0.0.1:${port}` }
      : { service: { name: serviceName, namespace: opts.namespace, port: opts.inCluster?.servicePort ?? 443 } };
  const registration = (): RegistrationOptions => ({
    name,
    caBundle: current.caBundle,
    controllerNamespace: opts.namespace,
    target,
    registeredBy,
    ...(opts.owner ? { owner: opts.owner } : {}),
    ...(opts.namespaceRequirements !== undefined ? { namespaceRequirements: opts.namespaceRequirements } : {}),
  });
  const register = opts.register !== false;
  const unregisterOnClose = opts.unregisterOnClose ?? serviceName === undefined;
  if (register) {
    try {
      await claimRegistration(opts.kubeConfig, name, target, logger);
      await applyWebhookConfigurations(opts.kubeConfig, registration());
    } catch (err) {
      await listener.close();
      throw err;
    }
    logger.info({ configuration: name, registeredBy, removedOnExit: unregisterOnClose }, 'webhook configurations registered');
  }

  // Maintenance: renew ahead of the 1/3-lifetime mark, hot-swap, re-apply the caBundle.
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    const untilRenewal = renewalTime(current.certPem).getTime() - Date.now();
    const delay = Math.max(1_000, Math.min(opts.maintenanceIntervalMs ?? HOUR_MS, untilRenewal));
    timer = setTimeout(() => void maintain(), delay).unref();
  };
  const maintain = async (): Promise<void> => {
    try {
      const next = await certs.ensure();
      if (next.certPem !== current.certPem) {
        listener.setSecureContext(next);
        logger.info({ notAfter: next.notAfter.toISOString() }, 'webhook serving certificate rotated');
      }
      current = next;
      if (register) await applyWebhookConfigurations(opts.kubeConfig, registration());
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'webhook maintenance failed; retrying');
    } finally {
      if (timer !== undefined) schedule();
    }
  };
  schedule();

  const auditor = new PolicyAuditor({ kubeConfig: opts.kubeConfig, source: opts.source, logger, metrics });
  const auditEvery = opts.auditIntervalMs ?? 5 * 60 * 1000;
  if (auditEvery > 0) auditor.start(auditEvery);

  return {
    port,
    ...(listener.workerMetrics ? { workerMetrics: listener.workerMetrics } : {}),
    get caBundle() {
      return current.caBundle;
    },
    startAudit(intervalMs = 5 * 60 * 1000) {
      auditor.start(intervalMs);
    },
    stopAudit() {
      return auditor.stop();
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      // Unregister before the server stops answering, so no call lands on a closed port.
      if (register && unregisterOnClose) {
        try {
          const removed = await releaseRegistration(opts.kubeConfig, name, registeredBy);
          logger.info({ configuration: name, removed }, 'webhook configurations removed');
        } catch (err) {
          logger.error(
            { err: errorMessage(err), configuration: name },
            `could not remove webhook configuration "${name}"; run: clairvoyance webhook remove --name ${name}`,
          );
        }
      }
      await auditor.stop();
      await listener.close();
    },
  };
}

async function listen(opts: StartWebhookOptions, tls: ServingCertificate, metrics: WebhookMetrics): Promise<AdmissionListener> {
  const maxBodyBytes = opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {};
  if (opts.workers && opts.workers.count > 1) {
    const pool = await startWorkerPool({
      ...opts.workers,
      ...maxBodyBytes,
      port: opts.port,
      host: opts.host,
      tls: { certPem: tls.certPem, keyPem: tls.keyPem },
      logger: opts.logger,
      recordChanges: opts.recordChanges,
    });
    return {
      port: pool.port,
      setSecureContext: (next) => pool.setSecureContext({ certPem: next.certPem, keyPem: next.keyPem }),
      close: () => pool.close(),
      workerMetrics: () => pool.metrics(),
    };
  }
  const app = createWebhookApp({ source: opts.source, logger: opts.logger, metrics, recordChanges: opts.recordChanges, ...maxBodyBytes });
  const { server, port } = await listenHttps(app, tls, opts.port, opts.host);
  return {
    port,
    setSecureContext: (next) => server.setSecureContext({ cert: next.certPem, key: next.keyPem }),
    close: () => closeServer(server),
  };
}
