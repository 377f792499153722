// Prometheus credentials from Secrets: a template's bearerTokenSecretRef is read from the
// Rollout's namespace and sent to a Prometheus behind an auth proxy (as many production
// setups are); a Secret that does not exist fails the analysis naming template, metric,
// field and Secret, while the other Rollout completes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig, prometheusUrl, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { createApp, createResource, rolloutStatus, setImage, waitForStatus } from '../controller/fixtures.js';

const ns = useTestNamespace('ae-credentials');
useController(ns.name, ['--no-leader-elect']);
const kc = kubeConfig();
const TOKEN = 's3cret-token';

let proxy: Server;
let proxyUrl = '';
const seen = { authorized: 0, refused: 0 };

beforeAll(async () => {
  const upstream = prometheusUrl();
  if (!upstream) throw new Error('no Prometheus: run `npm run stack:up` or set PROMETHEUS_URL');
  proxy = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      seen.refused++;
      res.writeHead(401).end('unauthorized');
      return;
    }
    seen.authorized++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const headers: Record<string, string> = {};
      if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
      void fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }).then(
        async (r) => res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/json' }).end(await r.text()),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: ns.name,
    body: { metadata: { name: 'prom-token' }, stringData: { token: `${TOKEN}\n` } },
  });
  for (const [name, secret] of [
    ['authed', 'prom-token'],
    ['unresolvable', 'no-such-secret'],
  ] as const) {
    await createResource(ns.name, 'AnalysisTemplate', name, {
      metrics: [
        {
          name: 'up-through-proxy',
          interval: '1s',
          count: 2,
          successCondition: 'result < 1',
          provider: { prometheus: { address: proxyUrl, query: 'vector(0)', authentication: { bearerTokenSecretRef: { name: secret, key: 'token' } } } },
        },
      ],
    });
  }
});

afterAll(async () => {
  await new Promise<void>((r) => proxy.close(() => r()));
});

describe('Prometheus credentials from Secrets', () => {
  it('sends the bearer token read from the Secret, and names the Secret that cannot be read', { timeout: 120_000 }, async () => {
    const step = (template: string) => [{ setWeight: 50 }, { analysis: { templates: [{ name: template }] } }];
    await createApp(ns.name, 'with-token', step('authed'));
    await createApp(ns.name, 'without-secret', step('unresolvable'));
    await waitForStatus(ns.name, 'with-token', 'adoption', (s) => s.phase === 'Healthy');
    await waitForStatus(ns.name, 'without-secret', 'adoption', (s) => s.phase === 'Healthy');
    await setImage(ns.name, 'with-token', 'registry.example/app:2');
    await setImage(ns.name, 'without-secret', 'registry.example/app:2');

    const failed = await waitForStatus(ns.name, 'without-secret', 'Degraded', (s) => s.phase === 'Degraded', 60_000);
    expect(failed.reason).toBe('AnalysisFailed');
    expect(failed.message).toContain('AnalysisTemplate unresolvable, metric "up-through-proxy"');
    expect(failed.message).toContain('provider.prometheus.authentication.bearerTokenSecretRef');
    expect(failed.message).toContain(`Secret ${ns.name}/no-such-secret not found`);

    const promoted = await waitForStatus(ns.name, 'with-token', 'promotion', (s) => s.phase === 'Healthy' && s.reason === 'Promoted', 60_000).catch(
      async (err: unknown) => {
        throw new Error(`${String(err)}; status ${JSON.stringify(await rolloutStatus(ns.name, 'with-token'))}; proxy saw ${JSON.stringify(seen)}`);
      },
    );
    expect(promoted.analysisRuns?.[0]?.phase ?? 'Successful').toBe('Successful');
    expect(seen.authorized).toBeGreaterThanOrEqual(2);
    expect(seen.refused).toBe(0);
  });
});
