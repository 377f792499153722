// Liveness, readiness and /metrics, each on its own port so a scrape or probe
// never competes with the webhook's TLS listener.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';

export interface Probes {
  live(): boolean;
  ready(): boolean;
}

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

function listen(app: express.Express, host: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
    server.on('error', reject);
  });
}

export function startHealthServer(host: string, port: number, probes: Probes): Promise<ListeningServer> {
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.status(probes.live() ? 200 : 503).send(probes.live() ? 'ok' : 'unhealthy');
  });
  app.get('/readyz', (_req, res) => {
    res.status(probes.ready() ? 200 : 503).send(probes.ready() ? 'ok' : 'not ready');
  });
  return listen(app, host, port);
}

export function startMetricsServer(host: string, port: number, registry: Registry): Promise<ListeningServer> {
  const app = express();
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return listen(app, host, port);
}
