import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { fail, pass, type Check } from '../check.js';

const GROUP_NAME = 'Prometheus';
const TIMEOUT_MS = 3_000;

/** An in-cluster Service address (`http://prometheus.monitoring.svc:9090`) is reached through the API server's proxy. */
function serviceProxyUrl(kc: KubeConfig, url: URL): URL | undefined {
  const host = url.hostname;
  const parts = host.split('.');
  const inCluster = host.endsWith('.svc') || host.endsWith('.svc.cluster.local');
  const server = kc.getCurrentCluster()?.server;
  if (!inCluster || !server || parts.length < 2) return undefined;
  const [name, namespace] = parts;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const scheme = url.protocol === 'https:' ? 'https:' : '';
  return new URL(
    `${server.replace(/\/+$/, '')}/api/v1/namespaces/${namespace}/services/${scheme}${name}:${port}/proxy${url.pathname.replace(/\/$/, '')}/api/v1/query?query=1`,
  );
}

async function query(kc: KubeConfig, url: URL, viaApiServer: boolean): Promise<{ status: number; body: string }> {
  const options: https.RequestOptions = {};
  if (viaApiServer) await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { ...options, method: 'GET', timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The controller's default Prometheus answers a query. */
export const prometheusCheck: Check = async ({ kc, prometheusUrl }) => {
  if (!prometheusUrl) {
    return [
      fail(
        GROUP_NAME,
        'no default Prometheus is known: analysis templates without an address cannot be measured',
        'pass --prometheus-url (here and to clairvoyance run; chart value controller.prometheusUrl)',
      ),
    ];
  }
  let base: URL;
  try {
    base = new URL(prometheusUrl);
  } catch {
    return [fail(GROUP_NAME, `--prometheus-url "${prometheusUrl}" is not a URL`, 'give an http(s) URL such as http://prometheus.monitoring.svc:9090')];
  }
  const proxied = serviceProxyUrl(kc, base);
  const target = proxied ?? new URL(`${base.toString().replace(/\/$/, '')}/api/v1/query?query=1`);
  try {
    const res = await query(kc, target, proxied !== undefined);
    const ok = res.status === 200 && (JSON.parse(res.body) as { status?: string }).status === 'success';
    if (ok) return [pass(GROUP_NAME, `${prometheusUrl} answers queries${proxied ? ' (through the API server service proxy)' : ''}`)];
    return [
      fail(GROUP_NAME, `${prometheusUrl} answered HTTP ${res.status}: ${res.body.slice(0, 160).trim()}`, 'check the URL points at the Prometheus HTTP API'),
    ];
  } catch (err) {
    return [
      fail(
        GROUP_NAME,
        `${prometheusUrl} is unreachable: ${err instanceof Error ? err.message : String(err)}`,
        'check the address and that Prometheus runs; canaries pause as inconclusive until it answers',
      ),
    ];
  }
};
