// A fault-injecting reverse proxy in front of the real kube-apiserver: every
// request is forwarded unchanged (with the admin's credentials) unless a fault
// is armed. It lets tests break, silence or expire a live watch the way a
// flaky network or a compacted etcd would, without faking the API server.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface Stream {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  upstream?: http.ClientRequest;
  muted: boolean;
}

export interface FaultProxy {
  /** A KubeConfig whose cluster is this proxy (plain HTTP on loopback). */
  kubeConfig(): KubeConfig;
  /** Open watch streams right now. */
  watchCount(): number;
  /** Number of watch requests seen so far. */
  watchRequests(): number;
  /** Cut every open connection (the client sees a reset). */
  breakAll(): void;
  /** Keep open watch streams connected but forward nothing more on them (a silent watch). */
  silenceOpenWatches(): void;
  /** Rewrite the next watch's resourceVersion to one long compacted away, so the server answers 410. */
  expireNextWatch(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamKc: KubeConfig): Promise<FaultProxy> {
  const cluster = upstreamKc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const upstreamBase = cluster.server.replace(/\/+$/, '');
  const streams = new Set<Stream>();
  let expireNext = false;
  let watchRequests = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(upstreamBase + (req.url ?? '/'));
      const isWatch = url.searchParams.get('watch') === 'true';
      if (isWatch) {
        watchRequests++;
        if (expireNext) {
          expireNext = false;
          url.searchParams.set('resourceVersion', '1');
        }
      }
      const opts: https.RequestOptions = { method: req.method, headers: { ...req.headers } };
      delete (opts.headers as Record<string, unknown>).host;
      delete (opts.headers as Record<string, unknown>).authorization;
      await upstreamKc.applyToHTTPSOptions(opts);
      const stream: Stream = { req, res, muted: false };
      if (isWatch) streams.add(stream);
      const upstream = https.request(url, opts, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        // Forward headers at once, as the API server does for a watch.
        res.flushHeaders();
        up.on('data', (chunk: Buffer) => {
          if (!stream.muted) res.write(chunk);
        });
        up.on('end', () => {
          if (!stream.muted) res.end();
        });
        up.on('error', () => res.destroy());
      });
      stream.upstream = upstream;
      upstream.on('error', () => res.destroy());
      res.on('close', () => {
        streams.delete(stream);
        upstream.destroy();
      });
      req.pipe(upstream);
    })().catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'proxy' }],
        contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
        currentContext: 'proxy',
      });
      return kc;
    },
    watchCount: () => streams.size,
    watchRequests: () => watchRequests,
    breakAll() {
      for (const s of sockets) s.destroy();
    },
    silenceOpenWatches() {
      for (const s of streams) s.muted = true;
    },
    expireNextWatch() {
      expireNext = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
