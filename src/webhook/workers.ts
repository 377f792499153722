// Admission served from several event loops: node:cluster workers, each with its own
// policy caches and the webhook's request listener, sharing one listening port. The
// primary keeps everything else (certificates, registration, audit, the change ledger)
// and talks to the workers over IPC: the serving certificate and its rotations go out,
// denials to record and metric values come back.
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:https';
import type { LevelWithSilent } from 'pino';
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { PolicySource } from '../gates/index.js';
import { Backoff } from '../kube/backoff.js';
import { errorMessage } from '../kube/errors.js';
import type { LedgerEntry } from '../ledger/identity.js';
import type { PemPair } from '../pki/certificates.js';
import type { Logger } from '../telemetry/logger.js';
import { createWebhookApp } from './app.js';
import { WebhookMetrics } from './metrics.js';
import { closeServer, listenHttps } from './server.js';

/** Marks a process forked to serve admission (its entry module checks it). */
export const WEBHOOK_WORKER_ENV = 'CLAIRVOYANCE_WEBHOOK_WORKER';

/** What a worker needs to build its caches: plain data, sent over IPC. */
export interface WorkerConfig {
  kubeconfig?: string;
  /** Empty: every namespace. */
  namespaces: string[];
  logLevel: LevelWithSilent;
}

/** One registry's metrics, as `Registry.getMetricsAsJSON` gives them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

type ToWorker =
  | { kind: 'start'; config: WorkerConfig; tls: PemPair; port: number; host: string; maxBodyBytes?: number }
  | { kind: 'tls'; tls: PemPair }
  | { kind: 'metrics'; id: number }
  | { kind: 'stop' };

type FromWorker =
  | { kind: 'listening'; port: number }
  | { kind: 'failed'; message: string }
  | { kind: 'record'; namespace: string; entries: LedgerEntry[] }
  | { kind: 'metrics'; id: number; metrics: MetricsJson };

export interface WorkerPoolOptions {
  count: number;
  /** The module each worker runs: it calls `serveAsWebhookWorker`. */
  entry: string;
  config: WorkerConfig;
  port: number;
  host: string;
  maxBodyBytes?: number;
  tls: PemPair;
  logger: Logger;
  recordChanges?: ((namespace: string, entries: LedgerEntry[]) => void) | undefined;
}

export interface WorkerPool {
  port: number;
  setSecureContext(tls: PemPair): void;
  /** Each worker's metric values (those that answer within a second). */
  metrics(): Promise<MetricsJson[]>;
  close(): Promise<void>;
}

/** 1 s, doubling to 30 s while restarts keep failing; a worker that served starts the count over. */
const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 30_000, jitter: 0, resetAfterMs: Infinity };
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;

/** Forks `count` workers and resolves once every one serves; rejects if one cannot. */
export async function startWorkerPool(opts: WorkerPoolOptions): Promise<WorkerPool> {
  const { logger } = opts;
  let tls = opts.tls;
  // Workers started later (restarts) listen on the port the first ones got: with port 0
  // a fresh bind would land elsewhere than the registration points.
  let port = opts.port;
  let closing = false;
  let nextRequest = 0;
  const pending = new Map<number, { responses: MetricsJson[]; left: number; done: () => void }>();
  const live = new Set<Worker>();
  cluster.setupPrimary({ exec: opts.entry, args: [] });

  const send = (worker: Worker, message: ToWorker): void => {
    if (worker.isConnected()) worker.send(message);
  };

  const fork = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WEBHOOK_WORKER_ENV]: '1' });
      let serving = false;
      live.add(worker);
      // A worker that cannot sync its caches in this long will not serve.
      const startTimer = setTimeout(() => {
        reject(new Error(`webhook worker ${worker.id} did not serve within ${START_TIMEOUT_MS / 1000} s`));
        worker.process.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      worker.on('online', () =>
        send(worker, {
          kind: 'start',
          config: opts.config,
          tls,
          port,
          host: opts.host,
          ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
        }),
      );
      worker.on('message', (message: FromWorker) => {
        switch (message.kind) {
          case 'listening':
            clearTimeout(startTimer);
            serving = true;
            port = message.port;
            resolve();
            break;
          case 'failed':
            reject(new Error(`webhook worker ${worker.id}: ${message.message}`));
            break;
          case 'record':
            opts.recordChanges?.(message.namespace, message.entries);
            break;
          case 'metrics': {
            const request = pending.get(message.id);
            if (request) {
              request.responses.push(message.metrics);
              if (--request.left === 0) request.done();
            }
            break;
          }
        }
      });
      worker.on('exit', (code, signal) => {
        clearTimeout(startTimer);
        live.delete(worker);
        if (!serving) {
          reject(new Error(`webhook worker ${worker.id} exited (${signal ?? code}) before serving`));
          return;
        }
        if (closing) return;
        // One crashed loop must not leave the gate short of capacity for good.
        logger.error({ worker: worker.id, code, signal }, 'webhook worker exited; starting another');
        restarts.reset();
        restart();
      });
    });

  const restarts = new Backoff(RESTART_BACKOFF);
  const restart = (): void => {
    setTimeout(() => {
      if (closing) return;
      fork().catch((err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'webhook worker restart failed; retrying with backoff');
        restart();
      });
    }, restarts.next()).unref();
  };

  const stopAll = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      [...live].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (worker.isConnected()) send(worker, { kind: 'stop' });
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    await Promise.all(Array.from({ length: opts.count }, fork));
  } catch (err) {
    await stopAll();
    throw err;
  }
  logger.info({ workers: opts.count, port }, 'admission served by webhook workers');

  return {
    port,
    setSecureContext(next) {
      tls = next;
      for (const worker of live) send(worker, { kind: 'tls', tls });
    },
    metrics() {
      const workers = [...live].filter((w) => w.isConnected());
      if (workers.length === 0) return Promise.resolve([]);
      const id = nextRequest++;
      return new Promise((resolve) => {
        const responses: MetricsJson[] = [];
        const done = (): void => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(responses);
        };
        // A worker busy past a second is left out of this scrape rather than stalling it.
        const timer = setTimeout(done, 1_000);
        pending.set(id, { responses, left: workers.length, done });
        for (const worker of workers) send(worker, { kind: 'metrics', id });
      });
    },
    close: stopAll,
  };
}

export interface WorkerSource {
  source: PolicySource;
  stop(): Promise<void>;
}

/**
 * A worker's side: waits for the primary's start message, builds its caches with
 * `makeSource`, serves admission on the shared port until told to stop.
 */
export function serveAsWebhookWorker(
  makeSource: (config: WorkerConfig, logger: Logger) => Promise<WorkerSource>,
  makeLogger: (level: LevelWithSilent) => Logger,
): void {
  const reply = (message: FromWorker, then?: () => void): void => {
    if (process.send) process.send(message, undefined, {}, () => then?.());
    else then?.();
  };
  let server: Server | undefined;
  let caches: WorkerSource | undefined;
  // The latest certificate: a rotation may arrive while the caches still sync.
  let tls: PemPair | undefined;
  const registry = new Registry();
  const metrics = new WebhookMetrics(registry);
  // The primary decides when workers stop (after unregistering); a Ctrl-C reaches the
  // whole process group, and a worker dying first would only be restarted.
  process.on('SIGINT', () => undefined);
  // Without the primary there is nothing to serve for: no certificate rotation, no ledger.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'start': {
        const logger = makeLogger(message.config.logLevel).child({ webhookWorker: cluster.worker?.id });
        tls ??= message.tls;
        void (async () => {
          try {
            caches = await makeSource(message.config, logger);
            const app = createWebhookApp({
              source: caches.source,
              logger,
              metrics,
              recordChanges: (namespace, entries) => reply({ kind: 'record', namespace, entries }),
              ...(message.maxBodyBytes !== undefined ? { maxBodyBytes: message.maxBodyBytes } : {}),
            });
            const serving = tls ?? message.tls;
            const listening = await listenHttps(app, serving, message.port, message.host);
            server = listening.server;
            if (tls && tls !== serving) server.setSecureContext({ cert: tls.certPem, key: tls.keyPem });
            reply({ kind: 'listening', port: listening.port });
          } catch (err) {
            reply({ kind: 'failed', message: errorMessage(err) }, () => process.exit(1));
          }
        })();
        break;
      }
      case 'tls':
        tls = message.tls;
        server?.setSecureContext({ cert: tls.certPem, key: tls.keyPem });
        break;
      case 'metrics':
        void registry.getMetricsAsJSON().then((values) => reply({ kind: 'metrics', id: message.id, metrics: values }));
        break;
      case 'stop':
        void (async () => {
          if (server) await closeServer(server);
          await caches?.stop();
          process.exit(0);
        })();
        break;
    }
  });
}
