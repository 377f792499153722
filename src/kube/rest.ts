import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './errors.js';

// The controller's one path to the API server: plain JSON over one keep-alive
// agent. The generated typed clients load every API group's models (about 80
// MiB of modules), deserialise into model classes (Date objects, renamed
// fields) while watches yield plain JSON, and open a fresh agent, so a fresh TLS
// handshake, per request. Here every object stays the JSON the server sent.

/** What a request needs from a kubeconfig: the server, and the credentials applied per request. */
export type KubeConfigLike = Pick<KubeConfig, 'getCurrentCluster' | 'applyToHTTPSOptions'>;

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Serialised as JSON. */
  body?: unknown;
  contentType?: string;
  /** One deadline for the whole exchange, not only for idle sockets. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type WatchHandler = (type: string, object: unknown) => void;
/** Called once: with no error on a clean end of the stream, else with the failure. */
export type WatchDone = (err: unknown) => void;

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * An idle pooled connection is closed after this, before the API server's own 90 s idle
 * timeout can close it under a request being sent. Node applies it to free sockets only:
 * a watch quiet for minutes keeps its connection.
 */
const IDLE_SOCKET_MS = 60_000;
/** A watch must answer with headers within this; events then may be minutes apart. */
const WATCH_CONNECT_TIMEOUT_MS = 30_000;
// TLS material that shapes a connection; credentials in headers may change per request.
const AGENT_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

interface Prepared {
  url: URL;
  transport: typeof https | typeof http;
  options: https.RequestOptions;
}

const clients = new WeakMap<KubeConfigLike, KubeClient>();

export class KubeClient {
  private agent: https.Agent | http.Agent | undefined;
  private agentTls: TlsMaterial | undefined;

  private constructor(private readonly kc: KubeConfigLike) {}

  /** The client of a kubeconfig: every caller shares its connections. */
  static for(kc: KubeConfigLike): KubeClient {
    let client = clients.get(kc);
    if (!client) {
      client = new KubeClient(kc);
      clients.set(kc, client);
    }
    return client;
  }

  get<T>(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  create<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }

  replace<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }

  patch<T>(path: string, body: unknown, type: PatchType, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body, contentType: PATCH_CONTENT_TYPE[type] });
  }

  delete<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const { url, transport, options } = await this.prepare(path, opts.query);
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: http.OutgoingHttpHeaders = { ...headersOf(options), Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, { ...options, method, headers, signal: opts.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) {
            reject(apiError(code, res.statusMessage, text));
            return;
          }
          try {
            resolve((text === '' ? {} : JSON.parse(text)) as T);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * Open a watch; resolves once the request is sent, with the controller that ends
   * it. Events arrive as the server's newline-delimited JSON; `done` is called once.
   */
  async watch(path: string, query: Query, onEvent: WatchHandler, done: WatchDone): Promise<AbortController> {
    const controller = new AbortController();
    let finished = false;
    const finish = (err: unknown): void => {
      if (finished) return;
      finished = true;
      controller.abort();
      done(err);
    };
    let prepared: Prepared;
    try {
      prepared = await this.prepare(path, { ...query, watch: true });
    } catch (err) {
      finish(err);
      return controller;
    }
    const { url, transport, options } = prepared;
    const req = transport.request(url, {
      ...options,
      method: 'GET',
      headers: { ...headersOf(options), Accept: 'application/json' },
      signal: controller.signal,
    });
    const connectTimer = setTimeout(
      () => req.destroy(new Error(`watch ${path} got no response within ${WATCH_CONNECT_TIMEOUT_MS} ms`)),
      WATCH_CONNECT_TIMEOUT_MS,
    );
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      res.socket.setKeepAlive(true, 30_000);
      const code = res.statusCode ?? 0;
      if (code !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(apiError(code, res.statusMessage, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', finish);
        return;
      }
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line === '' || finished) return;
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line) as { type?: unknown; object?: unknown };
        } catch {
          finish(new Error(`watch ${path} sent a line that is not JSON`));
          return;
        }
        if (typeof event.type !== 'string') return;
        try {
          onEvent(event.type, event.object);
        } catch (err) {
          finish(err);
        }
      });
      lines.on('close', () => finish(res.complete ? null : new Error(`watch ${path} ended mid-stream`)));
      // readline re-emits its input's errors (a reset connection) on itself.
      lines.on('error', finish);
      res.on('error', finish);
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      // Our own abort is how a watch is stopped, not a failure to report.
      finish(controller.signal.aborted ? null : err);
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.end();
    return controller;
  }

  private async prepare(path: string, query: Query | undefined): Promise<Prepared> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster: set current-context, or pass --kubeconfig');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const options: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    // A kubeconfig may hand out an agent of its own per request (client-node does):
    // the connection pool below replaces it, keyed by the TLS material it was given.
    const offered = options.agent;
    if (offered && typeof offered === 'object') offered.destroy();
    const transport = url.protocol === 'http:' ? http : https;
    options.agent = this.agentFor(transport, options);
    return { url, transport, options };
  }

  private agentFor(transport: typeof https | typeof http, options: https.RequestOptions): https.Agent | http.Agent {
    const tls: TlsMaterial = { transport: transport === http ? 'http' : 'https' };
    for (const k of AGENT_KEYS) tls[k] = options[k];
    if (!this.agent || !this.agentTls || !sameTls(tls, this.agentTls)) {
      this.agent?.destroy();
      const agentOptions: https.AgentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
      for (const k of AGENT_KEYS) if (options[k] !== undefined) Object.assign(agentOptions, { [k]: options[k] });
      this.agent = transport === http ? new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }) : new https.Agent(agentOptions);
      this.agentTls = tls;
    }
    return this.agent;
  }
}

type TlsMaterial = Record<string, unknown>;

function sameTls(a: TlsMaterial, b: TlsMaterial): boolean {
  for (const k of ['transport', ...AGENT_KEYS]) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) && x.equals(y)) continue;
    return false;
  }
  return true;
}

/** Headers as an object; Node also allows a flat [name, value, ...] list. */
function headersOf(options: https.RequestOptions): http.OutgoingHttpHeaders {
  const h = options.headers;
  if (!Array.isArray(h)) return { ...(h as http.OutgoingHttpHeaders | undefined) };
  const out: http.OutgoingHttpHeaders = {};
  for (let i = 0; i + 1 < h.length; i += 2) out[String(h[i])] = String(h[i + 1]);
  return out;
}

function apiError(code: number, statusText: string | undefined, body: string): KubeApiError {
  let message = statusText || `HTTP ${code}`;
  let reason: string | undefined;
  try {
    const status = JSON.parse(body) as { message?: unknown; reason?: unknown };
    if (typeof status.message === 'string') message = status.message;
    if (typeof status.reason === 'string') reason = status.reason;
  } catch {
    // not a metav1.Status; keep the HTTP status text
  }
  return new KubeApiError(code, message, reason);
}
