import type { AdmissionregistrationV1WebhookClientConfig, KubeConfig } from '@kubernetes/client-node';
import {
  describeEndpoint,
  listRegistrations,
  probeWebhookEndpoint,
  readRegistration,
  REGISTERED_BY_ANNOTATION,
  type WebhookConfiguration,
} from '../../webhook/index.js';
import { fail, pass, type Check, type CheckResult } from '../check.js';

const GROUP_NAME = 'Webhook';

function clientConfigs(config: WebhookConfiguration): AdmissionregistrationV1WebhookClientConfig[] {
  const seen = new Map<string, AdmissionregistrationV1WebhookClientConfig>();
  for (const w of config.webhooks ?? []) seen.set(describeEndpoint(w.clientConfig), w.clientConfig);
  return [...seen.values()];
}

function failsClosed(config: WebhookConfiguration): boolean {
  return (config.webhooks ?? []).some((w) => w.failurePolicy === 'Fail');
}

async function probeAll(kc: KubeConfig, config: WebhookConfiguration): Promise<{ ok: boolean; lines: string[] }> {
  const probes = await Promise.all(clientConfigs(config).map((c) => probeWebhookEndpoint(kc, c)));
  return { ok: probes.length > 0 && probes.every((p) => p.ok), lines: probes.map((p) => `${p.endpoint}: ${p.detail}`) };
}

const label = (c: WebhookConfiguration): string => `${c.kind} ${c.metadata?.name ?? ''}`;

/** The named configurations exist and answer over TLS with their own caBundle. */
export const webhookCheck: Check = async ({ kc, configurationName }) => {
  const configs = await readRegistration(kc, configurationName);
  if (configs.length === 0) {
    return [
      fail(
        GROUP_NAME,
        `no webhook configuration "${configurationName}" is registered: changes are not gated at apply time (the pre-canary gate still holds)`,
        'start the controller with its webhook (clairvoyance run), or pass --webhook-configuration-name if it uses another name',
      ),
    ];
  }
  const results: CheckResult[] = [];
  for (const config of configs) {
    const probe = await probeAll(kc, config);
    const by = config.metadata?.annotations?.[REGISTERED_BY_ANNOTATION];
    if (probe.ok) {
      results.push(pass(GROUP_NAME, `${label(config)}: ${config.webhooks?.length ?? 0} webhooks, ${probe.lines.join('; ')}`));
    } else {
      results.push(
        fail(
          GROUP_NAME,
          `${label(config)} points at an endpoint that does not answer: ${probe.lines.join('; ')}${by ? ` (registered by ${by})` : ''}` +
            (failsClosed(config) ? '; gated namespaces reject every change until it answers' : ''),
          `restart the controller (clairvoyance run, or kubectl rollout restart its Deployment); to open the gate now: clairvoyance webhook remove --name ${configurationName}`,
        ),
      );
    }
  }
  return results;
};

/** Every other Clairvoyance configuration in the cluster answers too (none left by a dead run). */
export const staleWebhooksCheck: Check = async ({ kc, configurationName }) => {
  const others = (await listRegistrations(kc)).filter((c) => c.metadata?.name !== configurationName);
  const stale: string[] = [];
  const names = new Set<string>();
  for (const config of others) {
    const probe = await probeAll(kc, config);
    if (probe.ok) continue;
    stale.push(`${label(config)} (${probe.lines.join('; ')})`);
    names.add(config.metadata?.name ?? '');
  }
  if (stale.length === 0) return [pass(GROUP_NAME, `no stale configuration (${others.length} other${others.length === 1 ? '' : 's'} answering)`)];
  return [
    fail(
      GROUP_NAME,
      `stale configuration${stale.length === 1 ? '' : 's'} whose endpoint does not answer: ${stale.join(', ')}`,
      [...names].map((n) => `clairvoyance webhook remove --name ${n}`).join('; '),
    ),
  ];
};
