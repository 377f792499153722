// A Gateway API data plane for integration tests: Traefik on loopback, programming a
// Gateway of the test's own (dev/stack/gateway.ts), and a client that counts which
// revision answered each request sent through it.
import { afterAll, beforeAll } from 'vitest';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../dev/stack/gateway.js';

export { ensureGatewayApiCrds, GATEWAY_API_GROUP, gatewayApiRelease } from '../../dev/stack/gateway-api.js';
export { TRAEFIK_CONTROLLER_NAME } from '../../dev/stack/gateway-config.js';
export { startGateway, traefikBinary, type GatewayOptions, type RunningGateway } from '../../dev/stack/gateway.js';

/** A cold Traefik build (minutes on 2 cores, while other files run) may come first. */
const START_TIMEOUT_MS = 20 * 60 * 1000;

/**
 * Starts a gateway before the file's tests and stops it after them. Call at the top level,
 * after useTestNamespace (hooks after run in reverse: the gateway stops before its namespace goes).
 */
export function useGateway(opts: GatewayOptions): { current(): RunningGateway } {
  let gateway: RunningGateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway(opts);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await gateway?.stop();
  });
  return {
    current: () => {
      if (!gateway) throw new Error('the gateway is not running (its beforeAll failed)');
      return gateway;
    },
  };
}

export interface SplitCount {
  sent: number;
  failed: number;
  byRevision: Record<string, number>;
  byStatus: Record<string, number>;
}

/** Share of the answered requests that `revision` served. */
export function shareOf(count: SplitCount, revision: string): number {
  const answered = Object.values(count.byRevision).reduce((a, b) => a + b, 0);
  return (count.byRevision[revision] ?? 0) / Math.max(1, answered);
}

/**
 * Sends `total` GET requests to `url`, `concurrency` at a time, and counts the X-Revision
 * of each answer. Connections are kept alive: the gateway balances requests, not connections.
 */
export async function countRevisions(url: string, total: number, opts: { headers?: Record<string, string>; concurrency?: number } = {}): Promise<SplitCount> {
  const count: SplitCount = { sent: 0, failed: 0, byRevision: {}, byStatus: {} };
  const worker = async (): Promise<void> => {
    while (count.sent < total) {
      count.sent++;
      try {
        const res = await fetch(url, { headers: opts.headers ?? {}, signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        const revision = res.headers.get('x-revision') ?? 'none';
        count.byRevision[revision] = (count.byRevision[revision] ?? 0) + 1;
        count.byStatus[String(res.status)] = (count.byStatus[String(res.status)] ?? 0) + 1;
      } catch {
        count.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return count;
}
