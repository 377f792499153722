// Scale benchmark: N Rollouts (default 1,000) on one controller process against
// the local stack. Prints steady-state RSS, reconcile p50/p99, API writes per
// canary step and the time to drive every Rollout through a 3-step canary.
// Run: npm run stack:up && npx tsx test/bench/controller-scale.ts   (BENCH_ROLLOUTS=200 for a quick run)
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, VERSION, type RolloutStatus } from '../../src/api/index.js';
import { kubeConfig, kubectl } from '../support/cluster.js';
import { metricSum, startController } from '../support/controller.js';

const N = Number(process.env.BENCH_ROLLOUTS ?? 1000);
const CONCURRENCY = 16;
const ns = `bench-${randomBytes(3).toString('hex')}`;
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const log = (msg: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function pool<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
}

/** Percentile from a Prometheus histogram's cumulative buckets, interpolated inside the bucket. */
function histogramQuantile(text: string, name: string, q: number, labels = 'outcome="success"'): number {
  const buckets: [number, number][] = [];
  const pattern = labels
    ? [`^${name}_bucket\\{le="([^"]+)",${labels}\\} (\\d+)`, `^${name}_bucket\\{${labels},le="([^"]+)"\\} (\\d+)`]
    : [`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`];
  for (const line of text.split('\n')) {
    const m = pattern.map((p) => new RegExp(p).exec(line)).find((x) => x !== null);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  const rank = q * total;
  let prev: [number, number] = [0, 0];
  for (const b of buckets) {
    if (b[1] >= rank) {
      if (b[0] === Infinity) return prev[0];
      return prev[0] + ((b[0] - prev[0]) * (rank - prev[1])) / Math.max(1, b[1] - prev[1]);
    }
    prev = b;
  }
  return NaN;
}

async function phases(): Promise<Record<string, number>> {
  const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts' })) as {
    items: { status?: RolloutStatus }[];
  };
  const out: Record<string, number> = {};
  for (const r of list.items) out[r.status?.phase ?? 'None'] = (out[r.status?.phase ?? 'None'] ?? 0) + 1;
  return out;
}

async function waitAll(what: string, predicate: (p: Record<string, number>) => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const p = await phases();
    if (predicate(p)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: timed out with ${JSON.stringify(p)}`);
    log(`${what}: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function main(): Promise<void> {
  const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'manifests/crds/']);
  if (crds.code !== 0) throw new Error(`applying CRDs failed: ${crds.stderr}`);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const controller = startController(ns, ['--no-leader-elect', '--workers', '8', '--log-level', 'warn']);
  try {
    await controller.ready;
    const names = Array.from({ length: N }, (_, i) => `app-${i}`);
    log(`creating ${N} Deployments and Rollouts in ${ns}`);
    const created = Date.now();
    await pool(names, async (name) => {
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
          },
        },
      });
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: 'rollouts',
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Rollout',
          metadata: { name },
          spec: {
            replicas: 1,
            workloadRef: { kind: 'Deployment', name },
            strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '1s' } }, { setWeight: 100 }] } },
            rollback: { scaleDownDelaySeconds: 0 },
          },
        },
      });
    });
    log(`created in ${((Date.now() - created) / 1000).toFixed(1)}s; waiting for adoption`);
    const adoptMs = await waitAll('adoption', (p) => (p.Healthy ?? 0) === N, 15 * 60_000);
    await new Promise((r) => setTimeout(r, 10_000));
    const steadyRss = rssMiB(controller.proc.pid!);
    const before = await controller.metrics();
    const writesBefore = metricSum(before, 'clairvoyance_api_writes_total');

    log('changing every pod template (new revision)');
    const changed = Date.now();
    await pool(names, async (name) => {
      await apps.patchNamespacedDeployment(
        { name, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:2' }] } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    });
    await waitAll('canary', (p) => (p.Healthy ?? 0) === N && Object.keys(p).length === 1, 30 * 60_000);
    const canaryMs = Date.now() - changed;
    const after = await controller.metrics();
    const writes = metricSum(after, 'clairvoyance_api_writes_total') - writesBefore;
    const peakRss = rssMiB(controller.proc.pid!);
    const p50 = histogramQuantile(after, 'clairvoyance_reconcile_duration_seconds', 0.5) * 1000;
    const p99 = histogramQuantile(after, 'clairvoyance_reconcile_duration_seconds', 0.99) * 1000;
    const planP50 = histogramQuantile(after, 'clairvoyance_plan_duration_seconds', 0.5, '') * 1000;
    const planP99 = histogramQuantile(after, 'clairvoyance_plan_duration_seconds', 0.99, '') * 1000;
    const heapUsed = metricSum(after, 'clairvoyance_process_nodejs_heap_size_used_bytes') / 2 ** 20;

    console.log('\nresults');
    console.log(`  rollouts                           ${N}`);
    console.log(`  adoption of all                    ${(adoptMs / 1000).toFixed(1)} s`);
    console.log(`  steady-state RSS                   ${steadyRss} MiB   (target < 300 MiB)`);
    console.log(`  RSS after the canary wave          ${peakRss} MiB`);
    console.log(`  JS heap used after the wave        ${heapUsed.toFixed(0)} MiB`);
    console.log(`  reconcile p50 / p99, with writes   ${p50.toFixed(1)} ms / ${p99.toFixed(1)} ms   (target p99 < 50 ms)`);
    console.log(`  decision p50 / p99 (cache + plan)  ${planP50.toFixed(2)} ms / ${planP99.toFixed(2)} ms`);
    console.log(`  API writes per canary step         ${(writes / (N * 3)).toFixed(2)}   (${writes} writes, ${N} rollouts x 3 steps)`);
    console.log(`  all ${N} through a 3-step canary   ${(canaryMs / 1000).toFixed(1)} s`);
  } finally {
    await controller.kill('SIGTERM');
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
