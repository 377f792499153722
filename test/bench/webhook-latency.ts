/**
 * Admission latency of the Deployment validating endpoint under 20 rules, side by side
 * with a no-op endpoint on the same HTTPS server (the floor: TLS, HTTP, express, JSON).
 * 100 concurrent keep-alive connections. Prints figures, asserts nothing.
 *
 * Run: npx tsx test/bench/webhook-latency.ts [requests-per-endpoint]
 */
import express from 'express';
import type { ContextPolicySpecInput } from '../../src/api/index.js';
import { StaticPolicySource } from '../../src/gates/index.js';
import { createCertificateAuthority } from '../../src/pki/certificates.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { allow, parseAdmissionReview, reviewOf } from '../../src/webhook/admission-review.js';
import { DEFAULT_MAX_BODY_BYTES, WEBHOOK_PATHS, createWebhookApp } from '../../src/webhook/app.js';
import { closeServer, listenHttps } from '../../src/webhook/server.js';
import { clusterPolicy, deployment, namespace } from '../unit/gates/fixtures.js';
import { httpsClient, inParallel } from '../unit/webhook/https-client.js';
import { review } from '../unit/webhook/review.js';

const CONNECTIONS = 100;
const REQUESTS = Number(process.argv[2] ?? 20_000);
const WARMUP = 2_000;

/** Twenty rules across every kind, the expensive ones (CEL, contracts) included. */
const RULES: ContextPolicySpecInput['rules'] = [
  { id: 'owner-team', rationale: 'r', ownership: { labels: ['team'] } },
  { id: 'owner-runbook', rationale: 'r', ownership: { annotations: ['runbook'] } },
  { id: 'metrics', rationale: 'r', observability: { metrics: true } },
  { id: 'otel-env', rationale: 'r', observability: { otelEnv: ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT'] } },
  { id: 'readiness', rationale: 'r', observability: { readinessProbe: true } },
  { id: 'flag', rationale: 'r', rolloutConvention: { requireFlag: true } },
  { id: 'non-root', rationale: 'r', security: { runAsNonRoot: true } },
  { id: 'limits', rationale: 'r', security: { requireResourceLimits: true } },
  { id: 'registries', rationale: 'r', security: { allowedRegistries: ['registry.example.com/', 'mirror.example.com/'] } },
  { id: 'data-class', rationale: 'r', security: { dataClass: { requirements: [{ value: 'pci', requireAnnotations: ['clairvoyance.dev/reviewed-by'] }] } } },
  { id: 'contracts', rationale: 'r', contract: {} },
  ...Array.from({ length: 9 }, (_, i) => ({
    id: `cel-${i}`,
    rationale: 'r',
    cel: { expression: `object.spec.replicas <= ${10 + i} && object.spec.template.spec.containers.all(c, has(c.resources.limits))`, message: 'm' },
  })),
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(send: (body: string) => Promise<{ status: number }>, body: string, n: number) {
  await inParallel(Array.from({ length: WARMUP }), CONNECTIONS, async () => void (await send(body)));
  const latencies: number[] = [];
  let errors = 0;
  const start = process.hrtime.bigint();
  await inParallel(Array.from({ length: n }), CONNECTIONS, async () => {
    const t = process.hrtime.bigint();
    const res = await send(body);
    if (res.status !== 200) errors++;
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: n / seconds, errors };
}

async function main(): Promise<void> {
  const ca = await createCertificateAuthority('bench-ca', 1);
  const leaf = await ca.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
  // 200 other workloads so the contract rule scans a realistic cluster.
  const workloads = Array.from({ length: 200 }, (_, i) =>
    deployment({
      name: `svc-${i}`,
      namespace: `team-${i % 20}`,
      templateAnnotations: { 'clairvoyance.dev/consumes': `api-${i % 7}@v1`, 'clairvoyance.dev/provides': `svc-${i}@v1` },
    }),
  );
  const source = new StaticPolicySource({
    clusterContextPolicies: [clusterPolicy('bench', { enforcement: 'Warn', rules: RULES })],
    namespaces: [namespace('shop', { 'clairvoyance.dev/gated': 'true', 'clairvoyance.dev/data-class': 'pci' })],
    workloads,
  });
  const app = createWebhookApp({ source, logger: silentLogger }, (a) => {
    // The floor: same server, same TLS and body parsing, no evaluation.
    a.post('/noop', express.json({ limit: DEFAULT_MAX_BODY_BYTES }), (req, res) => {
      const parsed = parseAdmissionReview(req.body);
      res.json(reviewOf(allow('error' in parsed ? '' : parsed.request.uid)));
    });
  });
  const { server, port } = await listenHttps(app, leaf, 0, '127.0.0.1');
  const client = httpsClient({ port, ca: ca.certPem, maxSockets: CONNECTIONS });
  const object = deployment({ templateAnnotations: { 'clairvoyance.dev/origin': 'ai-generated', 'clairvoyance.dev/provides': 'orders-api@v2' } });
  const old = deployment({ templateAnnotations: { 'clairvoyance.dev/provides': 'orders-api@v1,orders-api@v2' } });
  const body = JSON.stringify(review(object, { operation: 'UPDATE', oldObject: old }));

  const floor = await measure((b) => client.send('/noop', b), body, REQUESTS);
  const gated = await measure((b) => client.send(WEBHOOK_PATHS.validateDeployments, b), body, REQUESTS);
  const mutate = await measure((b) => client.send(WEBHOOK_PATHS.mutateDeployments, b), body, REQUESTS);
  client.close();
  await closeServer(server);

  const row = (name: string, r: Awaited<ReturnType<typeof measure>>): string =>
    `${name.padEnd(34)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(9)} ${String(r.errors).padStart(7)}`;
  console.log(
    `webhook latency: ${REQUESTS} requests per endpoint, ${CONNECTIONS} connections, HTTPS keep-alive, body ${body.length} B, node ${process.version}`,
  );
  console.log(`${'endpoint'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(9)} ${'non-200'.padStart(7)}`);
  console.log(row('no-op (floor)', floor));
  console.log(row(`validate deployments (${RULES.length} rules)`, gated));
  console.log(row('mutate deployments', mutate));
}

void main();
