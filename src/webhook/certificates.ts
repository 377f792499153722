// The webhook's serving certificate: a private CA and a leaf kept in a Secret, so every
// replica and every restart serve the same chain, renewed before expiry and hot-swapped.
import { X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { isConflict } from '../kube/errors.js';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { CORE_SECRETS } from '../kube/resource.js';
import type { CertificateAuthority, PemPair } from '../pki/certificates.js';
import type * as Pki from '../pki/certificates.js';
import type { Logger } from '../telemetry/logger.js';

export const WEBHOOK_TLS_SECRET = 'clairvoyance-webhook-tls';

const KEYS = { cert: 'tls.crt', key: 'tls.key', caCert: 'ca.crt', caKey: 'ca.key', previousCa: 'ca-previous.crt' } as const;

export interface ServingCertificate extends PemPair {
  /** PEM bundle the API server trusts: the current CA and, across a CA rotation, the previous one. */
  caBundle: string;
  notAfter: Date;
}

export interface CertificateOptions {
  kubeConfig: KubeConfigLike;
  namespace: string;
  secretName?: string;
  dnsNames: string[];
  ipAddresses: string[];
  caValidDays?: number;
  leafValidDays?: number;
  logger: Logger;
  now?: () => Date;
}

interface Stored {
  ca?: PemPair;
  leaf?: PemPair;
  previousCa?: string;
  resourceVersion?: string;
}

const notAfter = (certPem: string): Date => new X509Certificate(certPem).validToDate;

// The signing library is about 20 MiB of modules, needed only when a certificate is issued.
const pki = (): Promise<typeof Pki> => import('../pki/certificates.js');

/** Less than a third of its lifetime left: renew now, as cert-manager does by default. */
export function needsRenewal(certPem: string, now: Date): boolean {
  const cert = new X509Certificate(certPem);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return now.getTime() >= to - (to - from) / 3;
}

/** When the renewal threshold of a certificate is reached. */
export function renewalTime(certPem: string): Date {
  const cert = new X509Certificate(certPem);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return new Date(to - (to - from) / 3);
}

function leafFits(leaf: PemPair, ca: PemPair, dnsNames: string[], ipAddresses: string[]): boolean {
  try {
    const cert = new X509Certificate(leaf.certPem);
    if (!cert.checkIssued(new X509Certificate(ca.certPem)) || !cert.verify(new X509Certificate(ca.certPem).publicKey)) return false;
    const sans = (cert.subjectAltName ?? '').split(',').map((s) => s.trim());
    return dnsNames.every((d) => sans.includes(`DNS:${d}`)) && ipAddresses.every((ip) => sans.includes(`IP Address:${ip}`));
  } catch {
    return false;
  }
}

export class WebhookCertificates {
  private readonly secrets: ResourceClient<V1Secret>;
  private readonly secretName: string;
  private readonly now: () => Date;

  constructor(private readonly opts: CertificateOptions) {
    this.secrets = ResourceClient.of<V1Secret>(opts.kubeConfig, CORE_SECRETS);
    this.secretName = opts.secretName ?? WEBHOOK_TLS_SECRET;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * The certificate to serve: read from the Secret, renewed (leaf, or CA and leaf) when
   * near expiry or issued for other names, and written back. Two replicas racing here
   * resolve through the Secret's resourceVersion: the loser reads the winner's chain.
   */
  async ensure(): Promise<ServingCertificate> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.read();
      const renewed = await this.renew(stored);
      if (renewed === undefined) return this.serving(stored);
      try {
        await this.write(renewed, stored.resourceVersion);
        return this.serving(renewed);
      } catch (err) {
        if (!isConflict(err)) throw err;
        this.opts.logger.info({ secret: this.secretName }, 'webhook certificate secret changed concurrently; re-reading');
      }
    }
    throw new Error(`could not settle the webhook certificate in Secret ${this.opts.namespace}/${this.secretName}`);
  }

  private serving(s: Stored): ServingCertificate {
    if (s.ca === undefined || s.leaf === undefined) throw new Error('certificate secret is incomplete');
    const now = this.now().getTime();
    const previous = s.previousCa !== undefined && notAfter(s.previousCa).getTime() > now ? [s.previousCa] : [];
    return { ...s.leaf, caBundle: [s.ca.certPem, ...previous].map((p) => p.trim()).join('\n') + '\n', notAfter: notAfter(s.leaf.certPem) };
  }

  /** The new contents, or undefined when what is stored is good. */
  private async renew(s: Stored): Promise<Stored | undefined> {
    const now = this.now();
    let ca: CertificateAuthority | undefined;
    let previousCa = s.previousCa;
    if (s.ca === undefined || needsRenewal(s.ca.certPem, now)) {
      ca = await (await pki()).createCertificateAuthority('clairvoyance-webhook-ca', this.opts.caValidDays ?? 3650);
      // Keep trusting the old CA until it expires, so replicas mid-rotation still verify.
      previousCa = s.ca?.certPem;
      this.opts.logger.info({ secret: this.secretName }, s.ca === undefined ? 'created webhook CA' : 'rotated webhook CA');
    }
    const caPair: PemPair = ca ?? (s.ca as PemPair);
    const leafOk =
      ca === undefined && s.leaf !== undefined && !needsRenewal(s.leaf.certPem, now) && leafFits(s.leaf, caPair, this.opts.dnsNames, this.opts.ipAddresses);
    if (leafOk) return undefined;
    const issuer = ca ?? (await (await pki()).loadCertificateAuthority(caPair));
    const leaf = await issuer.issue({
      commonName: this.opts.dnsNames[0] ?? 'clairvoyance-webhook',
      dnsNames: this.opts.dnsNames,
      ipAddresses: this.opts.ipAddresses,
      usage: 'server',
      validDays: this.opts.leafValidDays ?? 90,
    });
    this.opts.logger.info({ secret: this.secretName, notAfter: notAfter(leaf.certPem).toISOString() }, 'issued webhook serving certificate');
    return { ca: { certPem: caPair.certPem, keyPem: caPair.keyPem }, leaf, ...(previousCa !== undefined ? { previousCa } : {}) };
  }

  private async read(): Promise<Stored> {
    const secret = await this.secrets.find(this.opts.namespace, this.secretName);
    if (secret === undefined) return {};
    const get = (k: string): string | undefined => {
      const v = secret.data?.[k];
      return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
    };
    const pair = (c: string, k: string): PemPair | undefined => {
      const certPem = get(c);
      const keyPem = get(k);
      if (certPem === undefined || keyPem === undefined) return undefined;
      try {
        new X509Certificate(certPem);
      } catch {
        return undefined; // unreadable: treated as absent and reissued
      }
      return { certPem, keyPem };
    };
    const out: Stored = {};
    const ca = pair(KEYS.caCert, KEYS.caKey);
    const leaf = pair(KEYS.cert, KEYS.key);
    const previousCa = get(KEYS.previousCa);
    if (ca !== undefined) out.ca = ca;
    if (leaf !== undefined) out.leaf = leaf;
    if (previousCa !== undefined) out.previousCa = previousCa;
    if (secret.metadata?.resourceVersion !== undefined) out.resourceVersion = secret.metadata.resourceVersion;
    return out;
  }

  private async write(s: Stored, resourceVersion: string | undefined): Promise<void> {
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    const data: Record<string, string> = {
      [KEYS.cert]: b64(s.leaf?.certPem ?? ''),
      [KEYS.key]: b64(s.leaf?.keyPem ?? ''),
      [KEYS.caCert]: b64(s.ca?.certPem ?? ''),
      [KEYS.caKey]: b64(s.ca?.keyPem ?? ''),
    };
    if (s.previousCa !== undefined) data[KEYS.previousCa] = b64(s.previousCa);
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: this.secretName,
        namespace: this.opts.namespace,
        labels: { 'app.kubernetes.io/name': 'clairvoyance', 'app.kubernetes.io/component': 'webhook' },
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      },
      data,
    };
    if (resourceVersion === undefined) await this.secrets.create(this.opts.namespace, body);
    else await this.secrets.replace(this.opts.namespace, this.secretName, body);
  }
}
