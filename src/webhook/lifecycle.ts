// A registration's life: claimed at start (replacing one left by a run that died),
// released at exit when it points at this process (out of cluster), kept otherwise.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  AdmissionregistrationV1WebhookClientConfig,
  V1ClusterRole,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../kube/errors.js';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { CLUSTER_ROLES, MUTATING_WEBHOOKS, VALIDATING_WEBHOOKS } from '../kube/resource.js';
import type { Logger } from '../telemetry/logger.js';
import { describeEndpoint, probeWebhookEndpoint } from './endpoint-probe.js';
import { REGISTERED_BY_ANNOTATION, WEBHOOK_LABELS, type WebhookOwner, type WebhookTarget } from './registration.js';

export type WebhookConfiguration = (V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration) & {
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
};

/** Identity of this run, recorded on what it registers. */
export function newRunIdentity(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

export class LiveRegistrationError extends Error {
  constructor(name: string, endpoint: string, registeredBy: string | undefined) {
    super(
      `webhook configuration "${name}" is registered by another run that still answers at ${endpoint}` +
        `${registeredBy ? ` (registered by ${registeredBy})` : ''}: stop that run, or give this one its own --webhook-configuration-name`,
    );
    this.name = 'LiveRegistrationError';
  }
}

function sameTarget(config: AdmissionregistrationV1WebhookClientConfig | undefined, target: WebhookTarget): boolean {
  if (!config) return false;
  if ('url' in target) return config.url !== undefined && new URL(config.url).origin === new URL(target.url).origin;
  return config.service?.name === target.service.name && config.service.namespace === target.service.namespace;
}

/** Both configurations of one name, absent ones left out. */
const validatingConfigurations = (kc: KubeConfigLike): ResourceClient<V1ValidatingWebhookConfiguration> => ResourceClient.of(kc, VALIDATING_WEBHOOKS);
const mutatingConfigurations = (kc: KubeConfigLike): ResourceClient<V1MutatingWebhookConfiguration> => ResourceClient.of(kc, MUTATING_WEBHOOKS);

export async function readRegistration(kc: KubeConfigLike, name: string): Promise<WebhookConfiguration[]> {
  const found: WebhookConfiguration[] = [];
  const v = await validatingConfigurations(kc).find(undefined, name);
  if (v) found.push({ ...v, kind: 'ValidatingWebhookConfiguration' });
  const m = await mutatingConfigurations(kc).find(undefined, name);
  if (m) found.push({ ...m, kind: 'MutatingWebhookConfiguration' });
  return found;
}

/** Every configuration carrying Clairvoyance's labels, whatever its name. */
export async function listRegistrations(kc: KubeConfigLike): Promise<WebhookConfiguration[]> {
  const labelSelector = Object.entries(WEBHOOK_LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const [v, m] = await Promise.all([
    validatingConfigurations(kc).list(undefined, { query: { labelSelector } }),
    mutatingConfigurations(kc).list(undefined, { query: { labelSelector } }),
  ]);
  return [
    ...v.items.map((c): WebhookConfiguration => ({ ...c, kind: 'ValidatingWebhookConfiguration' })),
    ...m.items.map((c): WebhookConfiguration => ({ ...c, kind: 'MutatingWebhookConfiguration' })),
  ];
}

export type ClaimOutcome = { kind: 'new' } | { kind: 'current' } | { kind: 'replaced'; endpoint: string; registeredBy?: string; detail: string };

/**
 * Before registering: a configuration of this name pointing elsewhere is replaced when
 * its endpoint does not answer (a crashed local run), and refused when it does, so two
 * local runs never take each other's gate. In cluster every replica shares one Service,
 * so a registration pointing at it is simply current.
 */
export async function claimRegistration(kc: KubeConfigLike, name: string, target: WebhookTarget, logger: Logger): Promise<ClaimOutcome> {
  const existing = await readRegistration(kc, name);
  if (existing.length === 0) return { kind: 'new' };
  const first = existing.flatMap((c) => c.webhooks ?? [])[0];
  if (sameTarget(first?.clientConfig, target)) return { kind: 'current' };
  const registeredBy = existing[0]?.metadata?.annotations?.[REGISTERED_BY_ANNOTATION];
  const endpoint = first ? describeEndpoint(first.clientConfig) : '(no webhooks)';
  const probe = first ? await probeWebhookEndpoint(kc, first.clientConfig) : { ok: false, detail: 'it lists no webhooks' };
  if (probe.ok && 'url' in target && first?.clientConfig.url !== undefined) throw new LiveRegistrationError(name, endpoint, registeredBy);
  logger.warn(
    { configuration: name, previousEndpoint: endpoint, previousRegisteredBy: registeredBy, probe: probe.detail },
    `replacing stale webhook registration ${name}: its endpoint ${endpoint} does not answer (${probe.detail})`,
  );
  return { kind: 'replaced', endpoint, ...(registeredBy ? { registeredBy } : {}), detail: probe.detail };
}

/**
 * Deletes both configurations of `name` if `registeredBy` registered them (a newer run
 * that took the name over keeps it). The resourceVersion precondition makes the check
 * and the delete one step.
 */
export async function releaseRegistration(kc: KubeConfigLike, name: string, registeredBy: string): Promise<number> {
  let removed = 0;
  for (const config of await readRegistration(kc, name)) {
    if (config.metadata?.annotations?.[REGISTERED_BY_ANNOTATION] !== registeredBy) continue;
    const body = { preconditions: { resourceVersion: config.metadata.resourceVersion ?? '' } };
    const configurations = config.kind === 'ValidatingWebhookConfiguration' ? validatingConfigurations(kc) : mutatingConfigurations(kc);
    const del = configurations.delete(undefined, name, { body });
    try {
      await del;
      removed++;
    } catch (err) {
      // Gone already, or changed hands in between: not ours to remove.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
  return removed;
}

/** An owner reference to a ClusterRole (cluster-scoped, like the configurations). */
export async function clusterRoleAsOwner(kc: KubeConfigLike, name: string): Promise<WebhookOwner> {
  const role = await ResourceClient.of<V1ClusterRole>(kc, CLUSTER_ROLES).get(undefined, name);
  const uid = role.metadata?.uid;
  if (!uid) throw new Error(`ClusterRole "${name}" has no uid`);
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name, uid };
}
