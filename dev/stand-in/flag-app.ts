// A stand-in for one revision's pod: an HTTP service that evaluates a flag per
// request with flagd semantics and exports what a real, well-wired service
// would: flag evaluations and requests, labelled with its revision. Pods under
// kwok are not processes, so tests and the demo run this beside the cluster
// and let Prometheus scrape it.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { ErrorCode, StandardResolutionReasons } from '@openfeature/core';
import type { FlagdCore } from '@openfeature/flagd-core';
import { parseFlagdDocument } from '../../src/flags/flagd-format.js';
import { flagdCore, resolveFlag } from './flag-eval.js';
import type { Resolution } from './flag-eval.js';

export interface StandInOptions {
  /** flagd JSON file; re-read whenever its modification time or size changes. */
  flagsFile: string;
  /** The flag the service evaluates on every request; omit to model a service that never evaluates it. */
  flagKey?: string;
  /** Pod-template hash of the revision this process stands in for. */
  revision: string;
  port?: number;
  host?: string;
}

export interface StandInApp {
  url: string;
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

/** Caches the loaded flags, keyed by the file's inode, mtime and size (atomic renames change the inode). */
class FlagFile {
  private stamp = '';
  private core: FlagdCore | undefined;
  private error: string | undefined;

  constructor(private readonly path: string) {}

  async current(): Promise<{ core?: FlagdCore; error?: string }> {
    let s;
    try {
      s = await stat(this.path);
    } catch (err) {
      return { error: `cannot read ${this.path}: ${err instanceof Error ? err.message : String(err)}` };
    }
    const stamp = `${s.ino}:${s.mtimeMs}:${s.size}`;
    if (stamp !== this.stamp) {
      this.load(await readFile(this.path, 'utf8'));
      this.stamp = stamp;
    }
    return { core: this.core, error: this.core ? undefined : this.error };
  }

  /** Like flagd, keeps serving the last good document when a new one is invalid. */
  private load(text: string): void {
    // The controller's own validation first: its errors name JSON paths.
    const parsed = parseFlagdDocument(text);
    if (!parsed.ok) {
      this.error = parsed.errors.join('; ');
      return;
    }
    try {
      this.core = flagdCore(text);
      this.error = undefined;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}

export async function startStandIn(opts: StandInOptions): Promise<StandInApp> {
  const registry = new Registry();
  registry.setDefaultLabels({ revision: opts.revision });
  const evaluations = new Counter({
    name: 'feature_flag_evaluations_total',
    help: 'Flag evaluations that resolved a variant, by flag key and variant.',
    labelNames: ['key', 'variant'],
    registers: [registry],
  });
  const evaluationErrors = new Counter({
    name: 'feature_flag_evaluation_errors_total',
    help: 'Flag evaluations that fell back to the code default, by flag key and reason.',
    labelNames: ['key', 'reason'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by status code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const logs = new Counter({ name: 'log_messages_total', help: 'Log lines emitted.', registers: [registry] });
  const flags = new FlagFile(opts.flagsFile);

  const send = (res: ServerResponse, code: number, body: string, type = 'application/json'): void => {
    requests.inc({ code: String(code) });
    res.writeHead(code, { 'Content-Type': type });
    res.end(body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.pathname === '/metrics') {
      // Scrapes are not application traffic: not counted in http_requests_total.
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (url.pathname === '/healthz') return send(res, 200, '{"ok":true}');
    logs.inc();
    if (!opts.flagKey) return send(res, 200, JSON.stringify({ revision: opts.revision }));
    const { core, error } = await flags.current();
    const targetingKey = url.searchParams.get('user') ?? randomUUID();
    const resolution: Resolution = core
      ? resolveFlag(core, opts.flagKey, { targetingKey })
      : { value: false, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.GENERAL, errorMessage: error ?? 'no flag document' };
    if (resolution.variant !== undefined) evaluations.inc({ key: opts.flagKey, variant: resolution.variant });
    else evaluationErrors.inc({ key: opts.flagKey, reason: resolution.errorCode ?? resolution.reason });
    send(res, 200, JSON.stringify({ revision: opts.revision, flag: opts.flagKey, targetingKey, ...resolution }));
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => send(res, 500, JSON.stringify({ error: String(err) })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
