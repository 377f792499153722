import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './errors.js';

// A raw JSON GET against the API server. The informer lists through this
// rather than the typed clients because those deserialise into model classes
// (Date objects, renamed fields) while the watch stream yields plain JSON: one
// cache must hold one shape. It also gives list calls a real timeout and abort,
// which the generated clients lack.

export interface GetOptions {
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function getJson<T>(kc: KubeConfig, path: string, opts: GetOptions = {}): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const reqOpts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(reqOpts);
  const transport = url.protocol === 'http:' ? http : https;
  const timeoutMs = opts.timeoutMs ?? 60_000;

  return new Promise<T>((resolve, reject) => {
    const req = transport.request(url, { ...reqOpts, signal: opts.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code >= 300) {
          let message = res.statusMessage ?? `HTTP ${code}`;
          let reason: string | undefined;
          try {
            const status = JSON.parse(text) as { message?: string; reason?: string };
            message = status.message ?? message;
            reason = status.reason;
          } catch {
            // not a metav1.Status; keep the HTTP status text
          }
          reject(new KubeApiError(code, message, reason));
          return;
        }
        try {
          resolve(JSON.parse(text) as T);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    // One deadline for the whole exchange, not only for idle sockets.
    const timer = setTimeout(() => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => {
      clearTimeout(timer);
      // The agent is per request (KubeConfig builds a fresh one); free its sockets.
      const agent = reqOpts.agent;
      if (agent && typeof agent === 'object' && 'destroy' in agent) agent.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}
