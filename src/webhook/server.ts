import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PemPair } from '../pki/certificates.js';

/** Listens with TLS; `setSecureContext` swaps the certificate without dropping the socket. */
export async function listenHttps(app: RequestListener, tls: PemPair, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' }, app);
  // Bounded so a stalled client cannot pin sockets; the API server's own timeout is 5s.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
