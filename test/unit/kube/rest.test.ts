import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterAccess } from '../../../src/kube/cluster-access.js';
import { isAlreadyExists, isNotFound, KubeApiError } from '../../../src/kube/errors.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { ResourceClient } from '../../../src/kube/resource-client.js';
import { APPS_REPLICASETS, CORE_CONFIGMAPS } from '../../../src/kube/resource.js';

// The HTTP layer against a local server that answers as the API server would; the
// integration suite runs the same code against the real one.

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
): Promise<{ kc: ClusterAccess; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      handler(req, res, s);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new ClusterAccess({ name: 'local', server: `http://127.0.0.1:${port}/`, skipTLSVerify: true }, { token: 'tok' });
  return { kc, seen, connections: () => connections };
}

function json(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('KubeClient requests', () => {
  it('sends each verb to the resource path, with credentials, JSON bodies and the patch content type', async () => {
    const { kc, seen } = await serve((_req, res, s) => json(res, s.method === 'POST' ? 201 : 200, { metadata: { name: 'x' } }));
    const configMaps = ResourceClient.of<{ metadata?: { name?: string } }>(kc, CORE_CONFIGMAPS);
    const rs = ResourceClient.of<object>(kc, APPS_REPLICASETS);
    expect(await configMaps.get('ns', 'a b')).toEqual({ metadata: { name: 'x' } });
    await configMaps.create('ns', { metadata: { name: 'x' } });
    await configMaps.replace('ns', 'x', { metadata: { name: 'x' } });
    await rs.patch('ns', 'r', { spec: { replicas: 2 } });
    await rs.patchStatus('ns', 'r', { status: {} }, 'merge', { query: { fieldManager: 'me' } });
    await rs.patch('ns', 'r', { spec: {} }, 'apply', { query: { fieldManager: 'me', force: true } });
    await rs.patch('ns', 'r', [{ op: 'remove', path: '/x' }], 'json');
    await rs.delete('ns', 'r', { body: { preconditions: { resourceVersion: '7' } } });
    await configMaps.list(undefined, { query: { labelSelector: 'a=b', limit: 5 } });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.contentType ?? '-'}`)).toEqual([
      'GET /api/v1/namespaces/ns/configmaps/a%20b -',
      'POST /api/v1/namespaces/ns/configmaps application/json',
      'PUT /api/v1/namespaces/ns/configmaps/x application/json',
      'PATCH /apis/apps/v1/namespaces/ns/replicasets/r application/merge-patch+json',
      'PATCH /apis/apps/v1/namespaces/ns/replicasets/r/status?fieldManager=me application/merge-patch+json',
      'PATCH /apis/apps/v1/namespaces/ns/replicasets/r?fieldManager=me&force=true application/apply-patch+yaml',
      'PATCH /apis/apps/v1/namespaces/ns/replicasets/r application/json-patch+json',
      'DELETE /apis/apps/v1/namespaces/ns/replicasets/r application/json',
      'GET /api/v1/configmaps?labelSelector=a%3Db&limit=5 -',
    ]);
    expect(seen.every((s) => s.authorization === 'Bearer tok')).toBe(true);
    expect(JSON.parse(seen[3]?.body ?? '')).toEqual({ spec: { replicas: 2 } });
    expect(JSON.parse(seen[7]?.body ?? '')).toEqual({ preconditions: { resourceVersion: '7' } });
  });

  it('reuses one keep-alive connection across requests', async () => {
    const { kc, connections } = await serve((_req, res) => json(res, 200, {}));
    const client = KubeClient.for(kc);
    expect(KubeClient.for(kc)).toBe(client);
    for (let i = 0; i < 5; i++) await client.get('/api/v1/namespaces');
    expect(connections()).toBe(1);
  });

  it('turns a metav1.Status into a KubeApiError carrying the code, message and reason', async () => {
    const { kc } = await serve((req, res) =>
      req.method === 'POST'
        ? json(res, 409, { kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "x" already exists', code: 409 })
        : json(res, 404, { kind: 'Status', reason: 'NotFound', message: 'configmaps "x" not found', code: 404 }),
    );
    const configMaps = ResourceClient.of<object>(kc, CORE_CONFIGMAPS);
    const missing = await configMaps.get('ns', 'x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(missing).toMatchObject({ statusCode: 404, reason: 'NotFound', message: 'configmaps "x" not found' });
    expect(isNotFound(missing)).toBe(true);
    expect(await configMaps.find('ns', 'x')).toBeUndefined();
    await expect(configMaps.deleteIfExists('ns', 'x')).resolves.toBeUndefined();
    expect(isAlreadyExists(await configMaps.create('ns', {}).catch((e: unknown) => e))).toBe(true);
  });

  it('keeps the HTTP status text when the error body is not JSON', async () => {
    const { kc } = await serve((_req, res) => {
      res.writeHead(503, 'Service Unavailable');
      res.end('upstream connect error');
    });
    await expect(KubeClient.for(kc).get('/api')).rejects.toMatchObject({ statusCode: 503, message: 'Service Unavailable' });
  });

  it('gives up on a request at its deadline', async () => {
    const { kc } = await serve(() => undefined);
    await expect(KubeClient.for(kc).get('/api', { timeoutMs: 100 })).rejects.toThrow('GET /api timed out after 100 ms');
  });
});

describe('KubeClient watch', () => {
  function watchOf(kc: ClusterAccess, query: Record<string, string> = {}) {
    const events: string[] = [];
    let doneCalls = 0;
    let doneWith: unknown = 'not called';
    let resolveDone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (resolveDone = resolve));
    const started = KubeClient.for(kc).watch(
      '/api/v1/namespaces/ns/configmaps',
      query,
      (type, obj) => events.push(`${type}:${(obj as { metadata?: { name?: string } }).metadata?.name ?? ''}`),
      (err) => {
        doneCalls++;
        doneWith = err;
        resolveDone();
      },
    );
    return { events, started, finished, done: () => ({ calls: doneCalls, err: doneWith }) };
  }

  it('delivers events split across chunks in order and ends once, cleanly', async () => {
    const { kc, seen } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const lines = ['ADDED', 'MODIFIED', 'DELETED'].map((type, i) => JSON.stringify({ type, object: { metadata: { name: `o${i}` } } })).join('\n') + '\n';
      res.write(lines.slice(0, 17));
      setTimeout(() => res.end(lines.slice(17)), 20);
    });
    const w = watchOf(kc, { resourceVersion: '5', allowWatchBookmarks: 'true' });
    await w.started;
    await w.finished;
    expect(w.events).toEqual(['ADDED:o0', 'MODIFIED:o1', 'DELETED:o2']);
    expect(w.done()).toEqual({ calls: 1, err: null });
    expect(seen[0]?.url).toBe('/api/v1/namespaces/ns/configmaps?resourceVersion=5&allowWatchBookmarks=true&watch=true');
  });

  it('reports a refused watch with its status, for the informer to relist on 410', async () => {
    const { kc } = await serve((_req, res) => json(res, 410, { kind: 'Status', reason: 'Expired', message: 'too old resource version', code: 410 }));
    const w = watchOf(kc);
    await w.finished;
    expect(w.done().err).toMatchObject({ statusCode: 410, reason: 'Expired' });
    expect(w.events).toEqual([]);
  });

  it('ends without an error when aborted, and delivers nothing after', async () => {
    let later: (() => void) | undefined;
    const { kc } = await serve((_req, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'first' } } }) + '\n');
      later = () => res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'second' } } }) + '\n');
    });
    const w = watchOf(kc);
    const controller = await w.started;
    while (w.events.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await w.finished;
    later?.();
    await new Promise((r) => setTimeout(r, 30));
    expect(w.events).toEqual(['ADDED:first']);
    expect(w.done()).toEqual({ calls: 1, err: null });
  });

  it('fails the stream on a line that is not JSON, and on a handler that throws', async () => {
    const { kc } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{}}\nnot json\n');
    });
    const w = watchOf(kc);
    await w.finished;
    expect(String(w.done().err)).toMatch(/sent a line that is not JSON/);

    const thrown = new Error('handler broke');
    let done: unknown;
    await new Promise<void>((resolve) => {
      void KubeClient.for(kc).watch(
        '/x',
        {},
        () => {
          throw thrown;
        },
        (err) => {
          done = err;
          resolve();
        },
      );
    });
    expect(done).toBe(thrown);
  });

  it('reports a stream cut mid-message as a failure', async () => {
    const { kc } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const w = watchOf(kc);
    await w.finished;
    expect(w.events).toEqual(['ADDED:a']);
    expect(w.done().err).toBeInstanceOf(Error);
  });
});
