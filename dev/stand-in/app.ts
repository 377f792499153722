// A stand-in for one revision's pods. Pods under kwok are not processes, so
// tests and the demo run this beside the cluster and let Prometheus scrape it
// with the revision's labels. It serves real HTTP with a chosen error rate and
// latency, drives its own traffic, and exports the telemetry the built-in
// observability signals look for.
//
//   GET  /          the "application": waits a lognormal latency, then 200 or 500
//   GET  /metrics   Prometheus exposition of the enabled telemetry families
//   GET  /control   the current behaviour (JSON)
//   POST /control   patch the behaviour: {errorRate?, latencyMs?, latencySigma?, telemetry?}
//   GET  /healthz   liveness, not counted as traffic
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { applyPatch, behaviourPatchSchema, DEFAULT_BEHAVIOUR, type Behaviour } from './behaviour.js';
import { lognormalAroundMedian, seededRandom } from './random.js';
import { StandInTelemetry } from './telemetry.js';
import { SelfTraffic, type TrafficStats } from './traffic.js';

export interface StandInOptions {
  /** Shown in /control and in the start line; not a metric label (the scrape target adds it). */
  revision?: string;
  host?: string;
  port?: number;
  behaviour?: Partial<Behaviour>;
  /** Self-generated requests per second; 0 turns the load off. */
  rps?: number;
  maxInFlight?: number;
  seed?: number;
}

export interface StandIn {
  url: string;
  port: number;
  behaviour(): Behaviour;
  traffic(): TrafficStats;
  close(): Promise<void>;
}

const MAX_CONTROL_BODY = 16 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_CONTROL_BODY) {
        reject(new Error('control body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  let behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...opts.behaviour, telemetry: { ...DEFAULT_BEHAVIOUR.telemetry, ...opts.behaviour?.telemetry } };
  const rand = seededRandom(opts.seed ?? Date.now());
  const telemetry = new StandInTelemetry();

  const serveApp = (res: ServerResponse): void => {
    const b = behaviour;
    const started = process.hrtime.bigint();
    const span = b.telemetry.traces ? telemetry.tracer.startSpan('GET /') : undefined;
    const failing = rand() < b.errorRate;
    const delay = lognormalAroundMedian(rand, b.latencyMs, b.latencySigma);
    setTimeout(() => {
      const code = failing ? 500 : 200;
      // The revision that answered: a caller going through a Service counts its share.
      res.writeHead(code, { 'Content-Type': 'application/json', ...(opts.revision ? { 'X-Revision': opts.revision } : {}) });
      res.end(failing ? '{"error":"injected failure"}' : '{"ok":true}');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Counted whether or not the family is exported, as a real service would
      // keep counting; the switch only decides what /metrics shows.
      telemetry.requests.inc({ code: String(code) });
      telemetry.duration.observe(seconds);
      telemetry.logs.inc({ level: failing ? 'error' : 'info' });
      if (span) {
        span.setAttribute('http.response.status_code', code);
        if (failing) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    }, delay);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': telemetry.contentType });
      res.end(await telemetry.metrics(behaviour.telemetry));
      return;
    }
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/control') {
      if (req.method === 'GET') return json(res, 200, { revision: opts.revision ?? null, ...behaviour });
      if (req.method !== 'POST') return json(res, 405, { error: 'GET or POST' });
      let parsed;
      try {
        parsed = behaviourPatchSchema.safeParse(JSON.parse((await readBody(req)) || '{}'));
      } catch (err) {
        return json(res, 400, { error: err instanceof Error ? err.message : String(err) });
      }
      if (!parsed.success) return json(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      behaviour = applyPatch(behaviour, parsed.data);
      return json(res, 200, { revision: opts.revision ?? null, ...behaviour });
    }
    if (path === '/') return serveApp(res);
    json(res, 404, { error: 'not found' });
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;
  const traffic = new SelfTraffic({ url: `${url}/`, rps: opts.rps ?? 50, maxInFlight: opts.maxInFlight ?? 64 });
  traffic.start();

  return {
    url,
    port,
    behaviour: () => behaviour,
    traffic: () => ({ ...traffic.stats }),
    async close() {
      traffic.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await telemetry.shutdown();
    },
  };
}
