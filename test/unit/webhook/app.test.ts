// The admission listener's edges: body limits, malformed input, routing, and clients
// that go away mid-request, over real TLS.
import { request, type Server } from 'node:https';
import { connect as connectTcp } from 'node:net';
import { connect } from 'node:tls';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticPolicySource } from '../../../src/gates/index.js';
import { createCertificateAuthority } from '../../../src/pki/certificates.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createWebhookApp, WEBHOOK_PATHS } from '../../../src/webhook/app.js';
import { WebhookMetrics } from '../../../src/webhook/metrics.js';
import { closeServer, listenHttps } from '../../../src/webhook/server.js';
import { deployment, namespace } from '../gates/fixtures.js';
import { httpsClient, type Reply } from './https-client.js';
import { review } from './review.js';

const MAX_BODY = 64 * 1024;
let server: Server;
let port: number;
let ca: string;
let client: ReturnType<typeof httpsClient>;
const registry = new Registry();
const crashes: unknown[] = [];
const onCrash = (err: unknown): void => void crashes.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  const authority = await createCertificateAuthority('test-ca', 1);
  const leaf = await authority.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
  ca = authority.certPem;
  const source = new StaticPolicySource({ namespaces: [namespace('shop', { 'clairvoyance.dev/gated': 'true' })] });
  const app = createWebhookApp({ source, logger: silentLogger, metrics: new WebhookMetrics(registry), maxBodyBytes: MAX_BODY }, (routes) =>
    routes.add('GET', '/extra', (_req, res) => {
      res.writeHead(200);
      res.end('extra');
    }),
  );
  const listening = await listenHttps(app, leaf, 0, '127.0.0.1');
  server = listening.server;
  port = listening.port;
  client = httpsClient({ port, ca });
});

afterAll(async () => {
  process.off('uncaughtException', onCrash);
  client.close();
  await closeServer(server);
});

const json = (reply: Reply): Record<string, unknown> => JSON.parse(reply.body) as Record<string, unknown>;

/** A request without Content-Length: the body arrives chunked, so only the bytes read can tell its size. */
function sendChunked(path: string, chunks: string[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body).toString() }));
    });
    // The server may answer and stop reading before every chunk is written.
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('the admission listener', () => {
  it('answers a valid review with 200 and an AdmissionReview for its uid, query string and all', async () => {
    const reply = await client.send(`${WEBHOOK_PATHS.validateDeployments}?timeout=10s`, JSON.stringify(review(deployment(), { uid: 'lean-1' })));
    expect(reply.status).toBe(200);
    expect(json(reply)).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'lean-1', allowed: true } });
    expect(await registry.getSingleMetricAsString('clairvoyance_admission_reviews_total')).toContain('operation="CREATE",allowed="true"} 1');
    expect(await registry.getSingleMetricAsString('clairvoyance_admission_duration_seconds')).toContain(
      'clairvoyance_admission_duration_seconds_count{endpoint="validate-deployments"} 1',
    );
  });

  it('answers 413 to a body declared over the limit, and to one that turns out over it', async () => {
    const huge = JSON.stringify(review({ ...deployment(), padding: 'x'.repeat(MAX_BODY) }));
    const declared = await client.send(WEBHOOK_PATHS.validateDeployments, huge);
    expect(declared.status).toBe(413);
    expect(json(declared)).toEqual({ message: 'request body too large' });
    const chunked = await sendChunked(WEBHOOK_PATHS.mutateDeployments, [huge.slice(0, MAX_BODY / 2), huge.slice(MAX_BODY / 2)]);
    expect(chunked.status).toBe(413);
    expect(json(chunked)).toEqual({ message: 'request body too large' });
  });

  it('answers 400 to a body that is not JSON, and to JSON that is not an AdmissionReview', async () => {
    const bad = await client.send(WEBHOOK_PATHS.validateDeployments, '{"apiVersion":');
    expect(bad.status).toBe(400);
    expect(json(bad)).toEqual({ message: 'malformed request body' });
    const wrong = await client.send(WEBHOOK_PATHS.validateResources, JSON.stringify({ kind: 'Pod' }));
    expect(wrong.status).toBe(400);
    expect(String(json(wrong).message)).toMatch(/^not an admission.k8s.io\/v1 AdmissionReview: /);
  });

  it('answers 404 to an unknown path and 405 to a GET of a review path', async () => {
    const missing = await client.send('/validate/pods', '{}');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ message: 'not found' });
    const get = await client.send(WEBHOOK_PATHS.validateDeployments, '', 'GET');
    expect(get.status).toBe(405);
    expect(json(get)).toEqual({ message: 'method not allowed' });
  });

  it('serves /healthz and the routes `extend` adds', async () => {
    expect(await client.send('/healthz', '', 'GET')).toEqual({ status: 200, body: 'ok' });
    expect(await client.send('/extra', '', 'GET')).toEqual({ status: 200, body: 'extra' });
    expect((await client.send('/healthz', '{}', 'POST')).status).toBe(405);
  });

  it('survives clients that go away mid-body, and keeps serving', async () => {
    const body = JSON.stringify(review(deployment()));
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        // TLS over a TCP socket of our own: only a TCP socket can be reset.
        const tcp = connectTcp({ host: '127.0.0.1', port });
        const socket = connect({ socket: tcp, ca, servername: 'localhost' }, () => {
          socket.write(
            `POST ${WEBHOOK_PATHS.validateDeployments} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
          );
          socket.write(body.slice(0, body.length / 2));
          // Alternately a clean close and a reset, half a body in.
          setTimeout(() => (i % 2 === 0 ? socket.destroy() : tcp.resetAndDestroy()), 5);
        });
        socket.on('error', () => undefined);
        tcp.on('error', () => undefined);
        tcp.on('close', () => resolve());
      });
    }
    const reply = await client.send(WEBHOOK_PATHS.validateDeployments, body);
    expect(reply.status).toBe(200);
    expect(crashes).toEqual([]);
  });
});
