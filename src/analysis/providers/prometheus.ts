import http from 'node:http';
import https from 'node:https';
import { parseDurationOr } from '../../api/durations.js';
import type { Credentials, NameValue, PrometheusProviderSpec } from '../types.js';
import { ProviderError } from './provider.js';
import type { Labels, MetricProvider, ProviderErrorKind, QueryOptions, QueryResult } from './provider.js';

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 30_000;
/** Refuse absurd responses rather than buffer them (a query gone wild). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface PrometheusOptions {
  /** Base URL, may carry a path prefix (`http://gw/prometheus`). */
  address: string;
  timeoutMs?: number;
  insecureSkipVerify?: boolean;
  /** PEM CA bundle to trust in addition to nothing else (replaces the system roots). */
  ca?: string;
  headers?: readonly NameValue[];
  bearerToken?: string;
  basic?: { username: string; password: string };
}

/**
 * Builds provider options from a template's `prometheus` block, controller
 * defaults, and the credentials the controller resolved from the referenced Secrets.
 */
export function prometheusOptionsFromSpec(
  spec: Omit<PrometheusProviderSpec, 'query'>,
  defaults: { address?: string; ca?: string; timeoutMs?: number } = {},
  credentials: Credentials = {},
): PrometheusOptions {
  const address = spec.address ?? defaults.address;
  if (!address)
    throw new ProviderError('config', 'no Prometheus address: set provider.prometheus.address or run the controller with --prometheus-url', {
      field: 'provider.prometheus.address',
    });
  const opts: PrometheusOptions = {
    address,
    timeoutMs: parseDurationOr(spec.timeout, defaults.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS),
  };
  if (spec.insecureSkipVerify !== undefined) opts.insecureSkipVerify = spec.insecureSkipVerify;
  if (defaults.ca !== undefined) opts.ca = defaults.ca;
  if (spec.headers) opts.headers = spec.headers;
  if (spec.authentication?.bearerTokenSecretRef && !credentials.bearerToken) {
    throw new ProviderError('config', `bearer token Secret ${spec.authentication.bearerTokenSecretRef.name} was not resolved`, {
      field: 'provider.prometheus.authentication.bearerTokenSecretRef',
    });
  }
  if (spec.authentication?.basicAuthSecretRef && !credentials.basic) {
    throw new ProviderError('config', `basic-auth Secret ${spec.authentication.basicAuthSecretRef.name} was not resolved`, {
      field: 'provider.prometheus.authentication.basicAuthSecretRef',
    });
  }
  if (credentials.bearerToken) opts.bearerToken = credentials.bearerToken;
  else if (credentials.basic) opts.basic = credentials.basic;
  return opts;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
]);

function classifyNetworkError(err: unknown): ProviderErrorKind {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code)) return 'unreachable';
    if (
      code.includes('CERT') ||
      code.includes('SELF_SIGNED') ||
      code.startsWith('ERR_TLS') ||
      code.startsWith('ERR_SSL') ||
      code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
    )
      return 'tls';
  }
  return 'unreachable';
}

/** Prometheus writes sample values as strings, including NaN and ±Inf. */
export function parseSampleValue(raw: unknown): number {
  if (raw === 'NaN') return NaN;
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new ProviderError('badResponse', `unexpected sample value ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (Number.isNaN(v)) throw new ProviderError('badResponse', `unexpected sample value ${JSON.stringify(raw)}`);
  return v;
}

function asPair(raw: unknown): [number, number] {
  if (!Array.isArray(raw) || raw.length !== 2) throw new ProviderError('badResponse', 'malformed sample');
  return [Number(raw[0]), parseSampleValue(raw[1])];
}

function asLabels(raw: unknown): Labels {
  const out: Labels = {};
  if (raw && typeof raw === 'object') for (const [k, v] of Object.entries(raw)) out[k] = String(v);
  return out;
}

/** Decodes the `data` of a successful `/api/v1/query[_range]` response. */
export function decodeQueryData(data: unknown): QueryResult {
  const d = data as { resultType?: unknown; result?: unknown } | null;
  if (!d || typeof d !== 'object') throw new ProviderError('badResponse', 'response has no data');
  switch (d.resultType) {
    case 'scalar':
      return { kind: 'scalar', value: asPair(d.result)[1] };
    case 'vector':
      if (!Array.isArray(d.result)) break;
      return {
        kind: 'vector',
        samples: d.result.map((s: { metric?: unknown; value?: unknown }) => ({ labels: asLabels(s.metric), value: asPair(s.value)[1] })),
      };
    case 'matrix':
      if (!Array.isArray(d.result)) break;
      return {
        kind: 'matrix',
        series: d.result.map((s: { metric?: unknown; values?: unknown }) => ({
          labels: asLabels(s.metric),
          values: Array.isArray(s.values) ? s.values.map(asPair) : [],
        })),
      };
    case 'string':
      throw new ProviderError('badQuery', 'query returned a string, not a number');
  }
  throw new ProviderError('badResponse', `unexpected resultType ${JSON.stringify(d.resultType)}`);
}

/** Maps a Prometheus API error (errorType, HTTP status) to our classification. */
function classifyApiError(status: number, errorType: string | undefined): ProviderErrorKind {
  if (status === 401 || status === 403) return 'unauthorized';
  switch (errorType) {
    case 'timeout':
    case 'canceled':
      return 'timeout';
    case 'unavailable':
    case 'internal':
      return 'unreachable';
    case 'bad_data':
    case 'execution':
    case 'not_found':
      return 'badQuery';
  }
  if (status >= 500) return 'unreachable';
  if (status === 400 || status === 422) return 'badQuery';
  return 'badResponse';
}

interface RawResponse {
  status: number;
  body: string;
}

function seconds(d: Date): string {
  return String(d.getTime() / 1000);
}

/** Prometheus HTTP API client (instant and range queries) with auth and TLS options. */
export class PrometheusProvider implements MetricProvider {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(readonly options: PrometheusOptions) {
    let base: URL;
    try {
      base = new URL(options.address.endsWith('/') ? options.address : `${options.address}/`);
    } catch {
      throw new ProviderError('config', `invalid Prometheus address "${options.address}"`, { field: 'provider.prometheus.address' });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new ProviderError('config', `unsupported scheme in Prometheus address "${options.address}"`, { field: 'provider.prometheus.address' });
    }
    this.base = base;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS;
    this.agent =
      base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, rejectUnauthorized: !options.insecureSkipVerify, ...(options.ca ? { ca: options.ca } : {}) })
        : new http.Agent({ keepAlive: true });
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const h of options.headers ?? []) headers[h.name] = h.value;
    if (options.bearerToken) headers['Authorization'] = `Bearer ${options.bearerToken}`;
    else if (options.basic) headers['Authorization'] = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
    this.headers = headers;
  }

  async query(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
    const params = new URLSearchParams({ query });
    let path = 'api/v1/query';
    if (opts.range) {
      path = 'api/v1/query_range';
      params.set('start', seconds(opts.range.start));
      params.set('end', seconds(opts.range.end));
      params.set('step', String(opts.range.stepMs / 1000));
    } else if (opts.time) {
      params.set('time', seconds(opts.time));
    }
    // Let Prometheus give up too, rather than keep evaluating an abandoned query.
    params.set('timeout', `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s`);
    const res = await this.send('POST', path, params.toString(), opts.signal);
    let parsed: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(res.body) as typeof parsed;
    } catch {
      const kind = res.status >= 500 ? 'unreachable' : classifyApiError(res.status, undefined);
      throw new ProviderError(kind, `HTTP ${res.status} from ${this.describe(path)}: ${res.body.slice(0, 200) || 'empty body'}`);
    }
    if (res.status !== 200 || parsed.status !== 'success') {
      const errorType = typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
      const detail = typeof parsed.error === 'string' ? parsed.error : `HTTP ${res.status}`;
      throw new ProviderError(classifyApiError(res.status, errorType), `${detail} (query: ${query})`);
    }
    return decodeQueryData(parsed.data);
  }

  /** Ready when `/-/ready` answers 200 (or, behind gateways without it, a trivial query works). */
  async isOnline(): Promise<boolean> {
    try {
      const res = await this.send('GET', '-/ready');
      if (res.status === 200) return true;
      if (res.status !== 404) return false;
      await this.query('1');
      return true;
    } catch {
      return false;
    }
  }

  private describe(path: string): string {
    return new URL(path, this.base).origin + new URL(path, this.base).pathname;
  }

  private send(method: 'GET' | 'POST', path: string, body?: string, callerSignal?: AbortSignal): Promise<RawResponse> {
    const url = new URL(path, this.base);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      const fail = (err: unknown): void => {
        if (timeout.aborted) reject(new ProviderError('timeout', `no answer from ${this.describe(path)} within ${this.timeoutMs}ms`, { cause: err }));
        else if (callerSignal?.aborted) reject(new ProviderError('unreachable', `query to ${this.describe(path)} was cancelled`, { cause: err }));
        else {
          const kind = classifyNetworkError(err);
          const msg = err instanceof Error ? err.message : String(err);
          reject(new ProviderError(kind, `${kind === 'tls' ? 'TLS error' : 'cannot reach'} ${this.describe(path)}: ${msg}`, { cause: err }));
        }
      };
      const req = lib.request(url, { method, headers, agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new ProviderError('badResponse', `response from ${this.describe(path)} exceeds ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      });
      req.on('error', (err) => (err instanceof ProviderError ? reject(err) : fail(err)));
      req.end(body);
    });
  }

  /** Releases pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
