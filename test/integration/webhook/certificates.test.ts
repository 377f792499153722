import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { StaticPolicySource } from '../../../src/gates/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { WebhookCertificates, startWebhook } from '../../../src/webhook/index.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';

const ns = useTestNamespace('wh-certs');
const kc = kubeConfig();

function certs(secretName: string, now?: () => Date) {
  return new WebhookCertificates({
    kubeConfig: kc,
    namespace: ns.name,
    secretName,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    leafValidDays: 30,
    caValidDays: 90,
    logger: silentLogger,
    ...(now ? { now } : {}),
  });
}

const DAY = 86_400_000;

/** The serial number the server presents right now. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('webhook certificates in a Secret', () => {
  it('creates the CA and serving certificate once and reloads them on restart', async () => {
    const first = await certs('tls-a').ensure();
    const again = await certs('tls-a').ensure();
    expect(again.certPem).toBe(first.certPem);
    expect(again.caBundle).toBe(first.caBundle);
    const leaf = new X509Certificate(first.certPem);
    expect(leaf.checkIssued(new X509Certificate(first.caBundle))).toBe(true);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'tls-a', namespace: ns.name });
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  it('renews the leaf with less than a third of its lifetime left, keeping the CA', async () => {
    const first = await certs('tls-b').ensure();
    expect((await certs('tls-b', () => new Date(Date.now() + 15 * DAY)).ensure()).certPem).toBe(first.certPem);
    const renewed = await certs('tls-b', () => new Date(Date.now() + 21 * DAY)).ensure();
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.caBundle).toBe(first.caBundle);
  });

  it('rotates the CA before expiry and keeps trusting the previous one', async () => {
    const first = await certs('tls-c').ensure();
    const rotated = await certs('tls-c', () => new Date(Date.now() + 70 * DAY)).ensure();
    expect(rotated.caBundle).not.toBe(first.caBundle);
    expect(rotated.caBundle).toContain(first.caBundle.trim());
    expect(new X509Certificate(rotated.certPem).checkIssued(new X509Certificate(rotated.caBundle))).toBe(true);
  });

  it('reissues when the names no longer fit (moving in cluster)', async () => {
    const first = await certs('tls-d').ensure();
    const moved = await new WebhookCertificates({
      kubeConfig: kc,
      namespace: ns.name,
      secretName: 'tls-d',
      dnsNames: ['clairvoyance-webhook.x.svc'],
      ipAddresses: [],
      logger: silentLogger,
    }).ensure();
    expect(moved.certPem).not.toBe(first.certPem);
    expect(new X509Certificate(moved.certPem).subjectAltName).toContain('DNS:clairvoyance-webhook.x.svc');
  });

  it('settles two replicas racing on an empty Secret on one chain', async () => {
    const [a, b] = await Promise.all([certs('tls-e').ensure(), certs('tls-e').ensure()]);
    const stored = await certs('tls-e').ensure();
    expect([a.caBundle, b.caBundle]).toContain(stored.caBundle);
    expect(stored.certPem === a.certPem || stored.certPem === b.certPem).toBe(true);
  });

  it('hot-swaps the serving certificate on the running server', async () => {
    // ~33 s of validity plus the 60 s backdating: renewal is due about 2 s after issue.
    const webhook = await startWebhook({
      kubeConfig: kc,
      port: 0,
      host: '127.0.0.1',
      namespace: ns.name,
      source: new StaticPolicySource(),
      logger: silentLogger,
      register: false,
      auditIntervalMs: 0,
      certificates: { secretName: 'tls-hot', leafValidDays: 33 / 86_400 },
      maintenanceIntervalMs: 500,
    });
    try {
      const before = await servedSerial(webhook.port, webhook.caBundle);
      await eventually(
        'a rotated certificate is served',
        async () => {
          const now = await servedSerial(webhook.port, webhook.caBundle);
          return now !== before ? now : undefined;
        },
        { timeoutMs: 15_000 },
      );
    } finally {
      await webhook.close();
    }
  });
});
