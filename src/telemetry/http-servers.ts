// Liveness, readiness and /metrics, each on its own port so a scrape or probe
// never competes with the webhook's TLS listener.
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

export interface Probes {
  live(): boolean;
  ready(): boolean;
}

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

function listen(handler: RequestListener, host: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** GET (or HEAD) of one of `paths`; anything else is 404, a wrong method 405. */
function routes(paths: Record<string, (res: ServerResponse) => void | Promise<void>>): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = Object.hasOwn(paths, path) ? paths[path] : undefined;
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    Promise.resolve(route(res)).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.destroy();
    });
  };
}

export function startHealthServer(host: string, port: number, probes: Probes): Promise<ListeningServer> {
  const text = 'text/plain; charset=utf-8';
  return listen(
    routes({
      '/healthz': (res) => (probes.live() ? send(res, 200, text, 'ok') : send(res, 503, text, 'unhealthy')),
      '/readyz': (res) => (probes.ready() ? send(res, 200, text, 'ok') : send(res, 503, text, 'not ready')),
    }),
    host,
    port,
  );
}

/** Metrics other processes measured (webhook workers), each as `Registry.getMetricsAsJSON` gives them. */
export type OtherMetrics = () => Promise<MetricObjectWithValues<MetricValue<string>>[][]>;

/** Serves `registry`, summed with what `others` report (by metric and label set) when there are any. */
export function startMetricsServer(host: string, port: number, registry: Registry, others?: OtherMetrics): Promise<ListeningServer> {
  const scrape = async (): Promise<string> => {
    const rest = (await others?.()) ?? [];
    if (rest.length === 0) return registry.metrics();
    return AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), ...rest]).metrics();
  };
  return listen(
    routes({
      '/metrics': async (res) => send(res, 200, registry.contentType, await scrape()),
    }),
    host,
    port,
  );
}
