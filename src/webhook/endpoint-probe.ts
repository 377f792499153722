// Does a registered webhook endpoint answer? Used to tell a live registration from one
// left behind by a run that died, and by `clairvoyance doctor`.
import http from 'node:http';
import https from 'node:https';
import type { AdmissionregistrationV1WebhookClientConfig } from '@kubernetes/client-node';
import type { KubeConfigLike } from '../kube/rest.js';

export interface ProbeResult {
  ok: boolean;
  /** Where the probe went, in the words a user would type (a URL or a Service). */
  endpoint: string;
  /** What failed, or how it answered. */
  detail: string;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/** Human name of a client config's endpoint (URL, or namespace/service:port/path). */
export function describeEndpoint(config: AdmissionregistrationV1WebhookClientConfig): string {
  if (config.url) return config.url;
  const s = config.service;
  if (!s) return '(no url or service)';
  return `service ${s.namespace}/${s.name}:${s.port ?? 443}${s.path ?? ''}`;
}

function healthUrlOf(url: string): URL {
  const u = new URL(url);
  u.pathname = '/healthz';
  u.search = '';
  return u;
}

function get(transport: typeof https | typeof http, url: URL, options: https.RequestOptions, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { ...options, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 200) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function failure(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * URL endpoints are called directly over TLS, verified against the configuration's own
 * caBundle (what the API server does). Service endpoints are reached through the API
 * server's service proxy, which cannot verify the CA; the Service must have a ready
 * endpoint that answers.
 */
export async function probeWebhookEndpoint(
  kc: KubeConfigLike,
  config: AdmissionregistrationV1WebhookClientConfig,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ProbeResult> {
  const endpoint = describeEndpoint(config);
  try {
    if (config.url) {
      const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString('utf8') : undefined;
      const res = await get(https, healthUrlOf(config.url), { ...(ca ? { ca } : {}) }, timeoutMs);
      return res.status === 200
        ? { ok: true, endpoint, detail: 'answers over TLS, certificate verified with the configuration caBundle' }
        : { ok: false, endpoint, detail: `answered HTTP ${res.status} on /healthz` };
    }
    const s = config.service;
    if (!s) return { ok: false, endpoint, detail: 'the configuration names neither a url nor a service' };
    const cluster = kc.getCurrentCluster();
    if (!cluster) return { ok: false, endpoint, detail: 'kubeconfig has no current cluster' };
    const proxy = new URL(
      `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(s.namespace)}/services/https:${encodeURIComponent(s.name)}:${s.port ?? 443}/proxy/healthz`,
    );
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const res = await get(proxy.protocol === 'http:' ? http : https, proxy, options, timeoutMs);
    return res.status === 200
      ? { ok: true, endpoint, detail: 'answers through the API server service proxy' }
      : { ok: false, endpoint, detail: `the API server could not reach it (HTTP ${res.status}: ${res.body.trim()})` };
  } catch (err) {
    return { ok: false, endpoint, detail: failure(err) };
  }
}
