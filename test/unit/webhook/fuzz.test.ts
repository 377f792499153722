import fc from 'fast-check';
import type { Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../../src/pki/certificates.js';
import { StaticPolicySource } from '../../../src/gates/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createWebhookApp, WEBHOOK_PATHS } from '../../../src/webhook/app.js';
import { closeServer, listenHttps } from '../../../src/webhook/server.js';
import { AI_POLICY_RULES, clusterPolicy, deployment, namespace } from '../gates/fixtures.js';
import { httpsClient, inParallel, type Reply } from './https-client.js';
import { review } from './review.js';

const MAX_BODY = 256 * 1024;
let server: Server;
let client: ReturnType<typeof httpsClient>;

beforeAll(async () => {
  const ca = await createCertificateAuthority('test-ca', 1);
  const leaf = await ca.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
  // Every rule kind is active so fuzzed objects reach each check.
  const source = new StaticPolicySource({
    clusterContextPolicies: [
      clusterPolicy('all', {
        rules: [
          ...AI_POLICY_RULES,
          { id: 'otel', rationale: 'r', observability: { otelEnv: ['OTEL_SERVICE_NAME'], readinessProbe: true } },
          {
            id: 'sec',
            rationale: 'r',
            security: {
              runAsNonRoot: true,
              requireResourceLimits: true,
              allowedRegistries: ['registry.example.com/'],
              dataClass: { requirements: [{ value: 'pci', requireLabels: ['x'] }] },
            },
          },
          { id: 'contracts', rationale: 'r', contract: {} },
          { id: 'cel', rationale: 'r', cel: { expression: 'object.spec.replicas <= 10', message: 'at most 10' } },
          { id: 'rollout', rationale: 'r', rolloutConvention: { requireRollout: true } },
        ],
      }),
    ],
    namespaces: [namespace('shop', { 'clairvoyance.dev/gated': 'true', 'clairvoyance.dev/data-class': 'pci' })],
    workloads: [deployment({ name: 'billing', templateAnnotations: { 'clairvoyance.dev/consumes': 'orders-api@v1' } })],
  });
  const app = createWebhookApp({ source, logger: silentLogger, maxBodyBytes: MAX_BODY });
  const listening = await listenHttps(app, leaf, 0, '127.0.0.1');
  server = listening.server;
  client = httpsClient({ port: listening.port, ca: ca.certPem });
});

afterAll(async () => {
  client.close();
  await closeServer(server);
});

/** Every answer is a 400/413, or a 200 carrying a well-formed AdmissionReview for the same uid. */
function assertWellFormed(reply: Reply, sent: string): void {
  if (reply.status === 400 || reply.status === 413) return;
  expect(reply.status, `status for ${sent.slice(0, 200)}`).toBe(200);
  const out = JSON.parse(reply.body) as { apiVersion: string; kind: string; response: Record<string, unknown> };
  expect(out.apiVersion).toBe('admission.k8s.io/v1');
  expect(out.kind).toBe('AdmissionReview');
  const r = out.response;
  expect((JSON.parse(sent) as { request: { uid: string } }).request.uid).toBe(r.uid);
  expect(typeof r.allowed).toBe('boolean');
  if (r.allowed === false) {
    const status = r.status as { code: unknown; message: unknown };
    expect(typeof status.code).toBe('number');
    expect(typeof status.message).toBe('string');
    // A wrong type is a denial naming the field, never an internal error.
    expect(status.code, String(status.message)).not.toBe(500);
    expect(String(status.message)).not.toMatch(/^internal error/);
  }
  if (r.patch !== undefined) {
    expect(r.patchType).toBe('JSONPatch');
    expect(Array.isArray(JSON.parse(Buffer.from(String(r.patch), 'base64').toString()))).toBe(true);
  }
  if (r.warnings !== undefined) expect((r.warnings as unknown[]).every((w) => typeof w === 'string')).toBe(true);
}

const json = fc.jsonValue({ maxDepth: 4 });
const base = deployment();
// Deployments with any part swapped for arbitrary JSON: wrong types in every position.
const mangledDeployment = fc
  .record({
    metadata: fc.oneof(fc.constant(base.metadata), json, fc.record({ name: json, labels: json, annotations: json })),
    spec: fc.oneof(
      fc.constant(base.spec),
      json,
      fc.record({
        replicas: json,
        template: fc.oneof(
          json,
          fc.record({
            metadata: fc.record({ annotations: json, labels: json }),
            spec: fc.record({ containers: fc.oneof(json, fc.array(json)), securityContext: json, initContainers: json }),
          }),
        ),
      }),
    ),
  })
  .map((d) => ({ apiVersion: 'apps/v1', kind: 'Deployment', ...d }));
const validEnvelope = fc
  .record({
    object: fc.oneof(mangledDeployment, json),
    oldObject: fc.oneof(fc.constant(undefined), mangledDeployment, json),
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
    dryRun: fc.boolean(),
    uid: fc.uuid(),
    kind: fc.constantFrom('Deployment', 'Rollout'),
  })
  .map(({ object, oldObject, operation, dryRun, uid, kind }) =>
    JSON.stringify(review(object, { operation: operation as 'CREATE', oldObject, dryRun, uid, kind })),
  );
const wrongEnvelope = fc
  .record({ apiVersion: fc.oneof(fc.constant('admission.k8s.io/v1'), json), kind: fc.oneof(fc.constant('AdmissionReview'), json), request: json })
  .map((b) => JSON.stringify(b));
const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  json.map((v) => JSON.stringify(v)),
  fc.constant('{"apiVersion":'),
);

describe('fuzzed AdmissionReviews over HTTPS', () => {
  it('answers 10,000 bodies without crashing, each well-formed', async () => {
    const bodies = fc.sample(fc.oneof({ arbitrary: validEnvelope, weight: 6 }, { arbitrary: wrongEnvelope, weight: 2 }, { arbitrary: garbage, weight: 2 }), {
      numRuns: 10_000,
      seed: 4711,
    });
    const paths = Object.values(WEBHOOK_PATHS);
    const statuses = new Map<number, number>();
    await inParallel(bodies, 32, async (body, i) => {
      const reply = await client.send(paths[i % paths.length] ?? '/', body);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      assertWellFormed(reply, body);
    });
    expect([...statuses.keys()].every((s) => [200, 400, 413].includes(s))).toBe(true);
    expect(statuses.get(200)).toBeGreaterThan(4000);
    // The server is still healthy afterwards.
    expect((await client.send('/healthz', '', 'GET')).status).toBe(200);
  }, 120_000);

  it.each([
    [
      'an image that is not a string',
      (d: ReturnType<typeof deployment>) => ((d.spec!.template.spec!.containers[0] as unknown as Record<string, unknown>).image = 42),
      'spec.template.spec.containers[0].image',
    ],
    [
      'env that is not a list',
      (d: ReturnType<typeof deployment>) => ((d.spec!.template.spec!.containers[0] as unknown as Record<string, unknown>).env = { A: '1' }),
      'spec.template.spec.containers[0].env',
    ],
    [
      'ports that are not a list',
      (d: ReturnType<typeof deployment>) => ((d.spec!.template.spec!.containers[0] as unknown as Record<string, unknown>).ports = 'http'),
      'spec.template.spec.containers[0].ports',
    ],
    [
      'containers that are not a list',
      (d: ReturnType<typeof deployment>) => ((d.spec!.template.spec! as unknown as Record<string, unknown>).containers = { app: {} }),
      'spec.template.spec.containers',
    ],
    ['labels with a number value', (d: ReturnType<typeof deployment>) => ((d.metadata!.labels as Record<string, unknown>).team = 7), 'metadata.labels.team'],
  ])('denies %s with a 400 naming the field, on every path', async (_what, mangle, field) => {
    const d = deployment();
    mangle(d);
    const body = JSON.stringify(review(d));
    for (const path of [WEBHOOK_PATHS.validateDeployments, WEBHOOK_PATHS.mutateDeployments]) {
      const reply = await client.send(path, body);
      const r = (JSON.parse(reply.body) as { response: { allowed: boolean; status?: { code: number; message: string } } }).response;
      expect(r.allowed).toBe(false);
      expect(r.status?.code).toBe(400);
      expect(r.status?.message).toContain(`malformed object: ${field}`);
    }
  });

  it('answers 413 to bodies over the limit and keeps serving', async () => {
    const huge = JSON.stringify(review({ ...deployment(), padding: 'x'.repeat(MAX_BODY + 1) }));
    expect((await client.send(WEBHOOK_PATHS.validateDeployments, huge)).status).toBe(413);
    const ok = await client.send(WEBHOOK_PATHS.validateDeployments, JSON.stringify(review(deployment())));
    expect(ok.status).toBe(200);
  });

  it('denies a deeply nested but in-limit object without crashing', async () => {
    let nested: unknown = 'leaf';
    for (let i = 0; i < 2_000; i++) nested = { n: nested };
    const body = JSON.stringify(review({ ...deployment(), metadata: { ...deployment().metadata, annotations: { deep: 'x' } }, extra: nested }));
    assertWellFormed(await client.send(WEBHOOK_PATHS.validateDeployments, body), body);
  });
});
