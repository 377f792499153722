// A small HTTPS client for webhook tests and the benchmark: keep-alive, pinned CA.
import { Agent, request } from 'node:https';

export interface Reply {
  status: number;
  body: string;
}

export function httpsClient(opts: { port: number; ca: string; maxSockets?: number }) {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 32, ca: opts.ca });
  const send = (path: string, body: string | Buffer, method = 'POST'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: opts.port, path, method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      // A server may answer 413 and close before reading everything: that reply still counts.
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
