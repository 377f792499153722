// The worker pool on its own: workers share one port, take a new certificate over IPC,
// report their metrics to the primary and stop when told.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type PemPair } from '../../../src/pki/certificates.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { WEBHOOK_PATHS } from '../../../src/webhook/app.js';
import { startWorkerPool, type WorkerPool } from '../../../src/webhook/workers.js';
import { deployment } from '../gates/fixtures.js';
import { httpsClient } from './https-client.js';
import { review } from './review.js';

const entry = fileURLToPath(new URL('./fixtures/worker-entry.mjs', import.meta.url));
let pool: WorkerPool;
const authorities: { ca: string; leaf: PemPair }[] = [];

beforeAll(async () => {
  for (const name of ['first-ca', 'second-ca']) {
    const ca = await createCertificateAuthority(name, 1);
    authorities.push({ ca: ca.certPem, leaf: await ca.issue({ commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 }) });
  }
  pool = await startWorkerPool({
    count: 2,
    entry,
    config: { namespaces: [], logLevel: 'silent' },
    port: 0,
    host: '127.0.0.1',
    tls: authorities[0]!.leaf,
    logger: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await pool?.close();
});

/** One review over a fresh connection that trusts `ca` alone. */
async function reviewTrusting(ca: string): Promise<number> {
  const client = httpsClient({ port: pool.port, ca });
  try {
    return (await client.send(WEBHOOK_PATHS.validateDeployments, JSON.stringify(review(deployment())))).status;
  } finally {
    client.close();
  }
}

describe('the webhook worker pool', () => {
  it('serves reviews from its workers on one port and reports what they counted', async () => {
    for (let i = 0; i < 10; i++) expect(await reviewTrusting(authorities[0]!.ca)).toBe(200);
    const perWorker = await pool.metrics();
    expect(perWorker).toHaveLength(2);
    const counted = perWorker
      .flatMap((m) => m.filter((x) => x.name === 'clairvoyance_admission_reviews_total').flatMap((x) => x.values))
      .reduce((sum, v) => sum + v.value, 0);
    expect(counted).toBe(10);
  });

  it('hands a rotated certificate to every worker', async () => {
    pool.setSecureContext(authorities[1]!.leaf);
    // IPC is asynchronous: within a moment every new connection presents the new leaf.
    const deadline = Date.now() + 5_000;
    while ((await reviewTrusting(authorities[1]!.ca).catch(() => 0)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 10; i++) expect(await reviewTrusting(authorities[1]!.ca)).toBe(200);
    await expect(reviewTrusting(authorities[0]!.ca)).rejects.toThrow();
  });
});
