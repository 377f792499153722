// A load generator that calls a Service's ClusterIP the way a client in the cluster
// would: a new connection per request, so kube-proxy's split of connections is the
// split of requests; it counts who answered by the X-Revision header.
import { request } from 'node:http';

export interface LoadStats {
  sent: number;
  failed: number;
  byRevision: Record<string, number>;
  byStatus: Record<string, number>;
}

/** Calls http://ip:port/ at a fixed rate, one connection per request, counting who answered. */
export class ServiceLoad {
  private timer: NodeJS.Timeout | undefined;
  private stats: LoadStats = { sent: 0, failed: 0, byRevision: {}, byStatus: {} };

  constructor(
    private readonly ip: string,
    private readonly port = 80,
    private readonly rps = 40,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.fire(), 1000 / this.rps);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Counts since the last reset, then starts counting afresh. */
  take(): LoadStats {
    const s = this.stats;
    this.stats = { sent: 0, failed: 0, byRevision: {}, byStatus: {} };
    return s;
  }

  private fire(): void {
    const stats = this.stats;
    stats.sent++;
    const req = request({ host: this.ip, port: this.port, path: '/', agent: false, timeout: 2000 }, (res) => {
      const rev = String(res.headers['x-revision'] ?? 'unknown');
      stats.byRevision[rev] = (stats.byRevision[rev] ?? 0) + 1;
      stats.byStatus[String(res.statusCode)] = (stats.byStatus[String(res.statusCode)] ?? 0) + 1;
      res.resume();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => stats.failed++);
    req.end();
  }
}
