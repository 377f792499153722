import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQueryData, parseSampleValue, PrometheusProvider, prometheusOptionsFromSpec } from '../../../src/analysis/providers/prometheus.js';
import { ProviderError } from '../../../src/analysis/providers/provider.js';

/**
 * A real HTTP server speaking the Prometheus API wire format, so the client's
 * encoding, auth, timeouts and error mapping are exercised over real sockets.
 */
interface Seen {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  params: URLSearchParams;
}

const seen: Seen[] = [];

function respond(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const handler: http.RequestListener = (req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    seen.push({ path: url.pathname, method: req.method ?? '', headers: req.headers, params });
    if (url.pathname.endsWith('/-/ready')) return respond(res, url.pathname.startsWith('/gw') ? 404 : 200, 'Prometheus Server is Ready.');
    const q = params.get('query') ?? '';
    const ok = (data: unknown): void => respond(res, 200, { status: 'success', data });
    switch (q) {
      case '1':
      case 'scalar':
        return ok({ resultType: 'scalar', result: [1700000000, '0.25'] });
      case 'vector':
        return ok({
          resultType: 'vector',
          result: [
            { metric: { revision: 'a' }, value: [1700000000, '1'] },
            { metric: { revision: 'b' }, value: [1700000000, 'NaN'] },
            { metric: { revision: 'c' }, value: [1700000000, '+Inf'] },
          ],
        });
      case 'range':
        return ok({
          resultType: 'matrix',
          result: [
            {
              metric: { pod: 'p1' },
              values: [
                [1, '1'],
                [2, '2'],
              ],
            },
          ],
        });
      case 'string':
        return ok({ resultType: 'string', result: [1, 'hello'] });
      case 'bad(':
        return respond(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' });
      case 'exec':
        return respond(res, 422, { status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' });
      case 'unavailable':
        return respond(res, 503, { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' });
      case 'proxy':
        return respond(res, 502, '<html>Bad Gateway</html>');
      case 'slow':
        setTimeout(() => ok({ resultType: 'scalar', result: [1, '1'] }), 1500);
        return;
      case 'auth':
        return req.headers.authorization ? ok({ resultType: 'scalar', result: [1, '1'] }) : respond(res, 401, 'Unauthorized');
      default:
        return respond(res, 400, { status: 'error', errorType: 'bad_data', error: `unknown query ${q}` });
    }
  });
};

let server: http.Server;
let address: string;

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof ProviderError ? e.kind : `unexpected ${String(e)}`;
  }
}

describe('PrometheusProvider over HTTP', () => {
  it('runs instant queries and decodes scalars and vectors, NaN and Inf included', async () => {
    const p = new PrometheusProvider({ address });
    expect(await p.query('scalar', { time: new Date(1_700_000_000_000) })).toEqual({ kind: 'scalar', value: 0.25 });
    const last = seen.at(-1);
    expect(last?.path).toBe('/api/v1/query');
    expect(last?.method).toBe('POST');
    expect(last?.params.get('time')).toBe('1700000000');
    expect(last?.params.get('timeout')).toBe('30s');
    const v = await p.query('vector');
    expect(v).toEqual({
      kind: 'vector',
      samples: [
        { labels: { revision: 'a' }, value: 1 },
        { labels: { revision: 'b' }, value: NaN },
        { labels: { revision: 'c' }, value: Infinity },
      ],
    });
    p.close();
  });

  it('runs range queries', async () => {
    const p = new PrometheusProvider({ address });
    const r = await p.query('range', { range: { start: new Date(1000), end: new Date(61_000), stepMs: 15_000 } });
    expect(r).toEqual({
      kind: 'matrix',
      series: [
        {
          labels: { pod: 'p1' },
          values: [
            [1, 1],
            [2, 2],
          ],
        },
      ],
    });
    const last = seen.at(-1);
    expect(last?.path).toBe('/api/v1/query_range');
    expect(Object.fromEntries(last?.params ?? [])).toMatchObject({ start: '1', end: '61', step: '15' });
    p.close();
  });

  it('keeps a path prefix of the address', async () => {
    const p = new PrometheusProvider({ address: `${address}/prom/` });
    await p.query('scalar');
    expect(seen.at(-1)?.path).toBe('/prom/api/v1/query');
    p.close();
  });

  it('sends bearer token, basic auth and custom headers', async () => {
    const bearer = new PrometheusProvider({ address, bearerToken: 's3cret', headers: [{ name: 'X-Scope-OrgID', value: 'team-a' }] });
    await bearer.query('auth');
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer s3cret');
    expect(seen.at(-1)?.headers['x-scope-orgid']).toBe('team-a');
    const basic = new PrometheusProvider({ address, basic: { username: 'u', password: 'p' } });
    await basic.query('auth');
    expect(seen.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(await kindOf(new PrometheusProvider({ address }).query('auth'))).toBe('unauthorized');
  });

  it.each([
    ['bad(', 'badQuery'],
    ['exec', 'badQuery'],
    ['string', 'badQuery'],
    ['unavailable', 'unreachable'],
    ['proxy', 'unreachable'],
  ])('classifies %s as %s', async (query, kind) => {
    expect(await kindOf(new PrometheusProvider({ address }).query(query))).toBe(kind);
  });

  it('includes the Prometheus error in the message', async () => {
    await expect(new PrometheusProvider({ address }).query('bad(')).rejects.toThrow('parse error at char 5 (query: bad()');
  });

  it('times out', async () => {
    const started = Date.now();
    expect(await kindOf(new PrometheusProvider({ address, timeoutMs: 200 }).query('slow'))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('honors a caller abort signal', async () => {
    const ctl = new AbortController();
    const pending = new PrometheusProvider({ address }).query('slow', { signal: ctl.signal });
    ctl.abort();
    expect(await kindOf(pending)).toBe('unreachable');
  });

  it('an unreachable server is unreachable (inconclusive), not an error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const p = new PrometheusProvider({ address: `http://127.0.0.1:${port}` });
    const err = await p.query('scalar').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('unreachable');
    expect((err as ProviderError).inconclusive).toBe(true);
    expect(await p.isOnline()).toBe(false);
  });

  it('isOnline uses /-/ready, with a query fallback behind gateways', async () => {
    expect(await new PrometheusProvider({ address }).isOnline()).toBe(true);
    expect(seen.at(-1)?.path).toBe('/-/ready');
    expect(await new PrometheusProvider({ address: `${address}/gw` }).isOnline()).toBe(true);
    expect(seen.at(-1)?.path).toBe('/gw/api/v1/query');
  });

  it('rejects bad addresses', () => {
    expect(() => new PrometheusProvider({ address: 'not a url' })).toThrow(ProviderError);
    expect(() => new PrometheusProvider({ address: 'ftp://x' })).toThrow(/unsupported scheme/);
  });
});

describe('PrometheusProvider over TLS', () => {
  let tls: https.Server;
  let tlsAddress: string;
  let ca: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-prom-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tls = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, handler);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsAddress = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(() => tls.close());

  it('refuses an untrusted certificate', async () => {
    expect(await kindOf(new PrometheusProvider({ address: tlsAddress }).query('scalar'))).toBe('tls');
  });

  it('accepts it with insecureSkipVerify', async () => {
    expect(await new PrometheusProvider({ address: tlsAddress, insecureSkipVerify: true }).query('scalar')).toEqual({ kind: 'scalar', value: 0.25 });
  });

  it('accepts it with the CA', async () => {
    expect(await new PrometheusProvider({ address: tlsAddress, ca }).query('scalar')).toEqual({ kind: 'scalar', value: 0.25 });
  });
});

describe('Prometheus options and decoding', () => {
  it('falls back to the default address and parses the timeout', () => {
    const spec = { timeout: '5s', authentication: { bearerTokenSecretRef: { name: 'prom', key: 'token' } } };
    expect(prometheusOptionsFromSpec(spec, { address: 'http://prom:9090' }, { bearerToken: 't' })).toEqual({
      address: 'http://prom:9090',
      timeoutMs: 5000,
      bearerToken: 't',
    });
    expect(() => prometheusOptionsFromSpec(spec, { address: 'http://prom:9090' })).toThrow('bearer token Secret prom was not resolved');
    expect(
      prometheusOptionsFromSpec({ authentication: { basicAuthSecretRef: { name: 'b' } } }, { address: 'http://p' }, { basic: { username: 'u', password: 'p' } })
        .basic,
    ).toEqual({ username: 'u', password: 'p' });
    expect(() => prometheusOptionsFromSpec({})).toThrow(/--prometheus-url/);
  });

  it.each([
    ['1.5', 1.5],
    ['NaN', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
  ])('sample value %s', (raw, v) => {
    expect(parseSampleValue(raw)).toBe(v);
  });

  it('rejects malformed data', () => {
    expect(() => decodeQueryData({ resultType: 'vector', result: [{ metric: {}, value: [1, 'x'] }] })).toThrow(ProviderError);
    expect(() => decodeQueryData({ resultType: 'weird' })).toThrow(/unexpected resultType/);
  });
});
