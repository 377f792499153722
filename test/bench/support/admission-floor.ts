// The floor of test/bench/webhook-latency.ts: a bare node:https server, its own process,
// that reads each request's body and answers one fixed AdmissionReview. What any Node
// webhook pays for TLS, HTTP and the event loop before evaluating anything.
// Prints `listening <port>` once it serves.
import { createServer } from 'node:https';
import { createCertificateAuthority } from '../../../src/pki/certificates.js';

const ca = await createCertificateAuthority('floor-ca', 1);
const leaf = await ca.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
const answer = Buffer.from(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-1', allowed: true } }));
const server = createServer({ cert: leaf.certPem, key: leaf.keyPem, keepAliveTimeout: 60_000 }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
