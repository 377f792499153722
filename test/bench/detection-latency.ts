/**
 * Detection-to-rollback latency through the real controller and the stack's
 * Prometheus (1 s scrape). Needs the stack: `npm run stack:up`.
 *
 *   npx tsx test/bench/detection-latency.ts [--runs 10] [--error-rate 0.5] [--pods real|stand-in] [--interval 2s] [--window 10s]
 *
 * Each run: a canary at 50% under background analysis (the error-rate metric,
 * every 2 s), healthy until it has passed twice; then the canary starts failing
 * (t0), and the clock stops when the Rollout reports canary weight 0 and the
 * canary ReplicaSet is at 0 replicas. With `--pods real` (the default) the
 * revisions are real pods on the stack's real node, clients call their Service
 * and Prometheus finds them by pod discovery; t0 is when every canary pod has been
 * told to fail (POST /control). With `--pods stand-in` stand-in processes play the
 * pods of kwok. `--interval` is the analysis interval, `--window` the error-rate
 * query's rate() window: detection waits for both, so the run prints them beside the
 * floor. Prints each run, the median and p95, and the floor they are measured
 * against. Asserts nothing.
 */
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeConfig, prometheusUrl, TEST_NAMESPACE_LABEL } from '../support/cluster.js';
import { startController } from '../support/controller.js';
import { startStandIn, type StandInProcess } from '../support/stand-ins.js';
import { applyCrds, createApp, createResource, replicasByRevision, rolloutStatus, setImage, waitForStatus } from '../integration/controller/fixtures.js';
import { createDemoApp, ServiceLoad, setBehaviour } from '../support/real-node.js';
import { createTemplate, errorRateMetric, errorRateQuery } from '../integration/analysis-e2e/templates.js';
import { parseDuration } from '../../src/api/durations.js';

const SCRAPE_INTERVAL_MS = 1000;
const THRESHOLD = 0.05;
const RUN_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

interface Sample {
  run: number;
  /** t0 to the failing measurement being taken (from the measurement's startedAt). */
  detectMs: number;
  /** t0 to status.weights.canary === 0. */
  statusMs: number;
  /** t0 to weight 0 and the canary ReplicaSet at 0 replicas: the figure reported. */
  rollbackMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank, so p95 of 10 runs is the slowest run rather than an interpolation past it.
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Median time of the error-rate query against Prometheus, as the controller would run it. */
async function queryTimeMs(namespace: string, revision: string, window: string, samples = 20): Promise<number> {
  const base = prometheusUrl()!;
  const query = errorRateQuery(window).replaceAll('{{rollout.namespace}}', namespace).replaceAll('{{canary.revision}}', revision);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
    await res.json();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

type Canary = { fail: (errorRate: number) => Promise<void> };

/** Real pods: the app's pods on the real node behind a Service; clients call it at 40 requests/s. */
async function realCanary(namespace: string, name: string, loads: ServiceLoad[]): Promise<{ canary: Canary; canaryRevision: string }> {
  const ip = await createDemoApp(namespace, name, 4, { latencyMs: 20 });
  loads.push(new ServiceLoad(ip, 80, 40).start());
  await createResource(namespace, 'Rollout', name, {
    replicas: 4,
    workloadRef: { kind: 'Deployment', name },
    strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    analysis: { templates: [{ name: 'error-rate' }] },
    rollback: { scaleDownDelaySeconds: 0 },
  });
  const adopted = await waitForStatus(namespace, name, 'adoption', (st) => st.adopted === true && st.phase === 'Healthy', RUN_TIMEOUT_MS * 2);
  await setBehaviour(namespace, name, { latencyMs: 21 });
  const started = await waitForStatus(namespace, name, 'canary', (st) => st.canaryRevision !== undefined && st.canaryRevision !== adopted.stableRevision);
  const canaryRevision = started.canaryRevision!;
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const fail = async (errorRate: number): Promise<void> => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `app=${name},clairvoyance.dev/revision=${canaryRevision}` });
    const ips = pods.items.map((p) => p.status?.podIP).filter((x): x is string => !!x);
    if (ips.length === 0) throw new Error(`no canary pod of ${name} has an IP`);
    await Promise.all(
      ips.map((podIp) =>
        fetch(`http://${podIp}:8080/control`, { method: 'POST', body: JSON.stringify({ errorRate }), headers: { 'content-type': 'application/json' } }),
      ),
    );
  };
  return { canary: { fail }, canaryRevision };
}

/** Stand-ins: kwok pods run no code, so a process per revision plays them for Prometheus. */
async function standInCanary(namespace: string, name: string, standIns: StandInProcess[]): Promise<{ canary: Canary; canaryRevision: string }> {
  await createApp(namespace, name, [{ setWeight: 50 }, { pause: {} }], {
    analysis: { templates: [{ name: 'error-rate' }] },
    rollback: { scaleDownDelaySeconds: 0 },
  });
  const adopted = await waitForStatus(namespace, name, 'adoption', (st) => st.phase === 'Healthy' && st.stableRevision !== undefined);
  const stableRevision = adopted.stableRevision!;
  standIns.push(await startStandIn({ revision: stableRevision, namespace, latencyMs: 20 }));
  await setImage(namespace, name, `registry.example/${name}:2`);
  const started = await waitForStatus(namespace, name, 'canary', (st) => st.canaryRevision !== undefined && st.canaryRevision !== stableRevision);
  const canaryRevision = started.canaryRevision!;
  const process = await startStandIn({ revision: canaryRevision, namespace, latencyMs: 20 });
  standIns.push(process);
  return { canary: { fail: (errorRate) => process.control({ errorRate }).then(() => undefined) }, canaryRevision };
}

async function oneRun(
  namespace: string,
  run: number,
  errorRate: number,
  intervalMs: number,
  setUp: (name: string) => Promise<{ canary: Canary; canaryRevision: string }>,
): Promise<{ sample: Sample; canaryRevision: string }> {
  const name = `detect-${run}`;
  const { canary, canaryRevision } = await setUp(name);

  // Steady state: paused at 50% with background analysis that has passed twice.
  await waitForStatus(
    namespace,
    name,
    'steady background analysis',
    (st) => st.reason === 'PausedForPromotion' && (st.analysisRuns?.find((r) => r.stepIndex === undefined)?.metrics[0]?.successful ?? 0) >= 2,
    RUN_TIMEOUT_MS,
  ).catch(async (err: unknown) => {
    throw new Error(`run ${run}: ${String(err)}; last status ${JSON.stringify(await rolloutStatus(namespace, name))}`);
  });
  // Start failing at a random point of the analysis cycle, as a real regression would.
  await sleep(Math.random() * intervalMs);

  await canary.fail(errorRate);
  const t0 = Date.now();
  let statusAt: number | undefined;
  let detectAt: number | undefined;
  const deadline = t0 + RUN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const now = Date.now();
    const st = await rolloutStatus(namespace, name);
    if (st.weights?.canary === 0) {
      statusAt ??= now;
      const failed = st.analysisRuns
        ?.flatMap((r) => r.metrics)
        .flatMap((m) => m.measurements)
        .find((m) => m.phase === 'Failed');
      if (failed) detectAt ??= Date.parse(failed.startedAt);
      const rs = await replicasByRevision(namespace, name);
      if ((rs[canaryRevision]?.replicas ?? 0) === 0) {
        return { sample: { run, detectMs: (detectAt ?? now) - t0, statusMs: statusAt - t0, rollbackMs: Date.now() - t0 }, canaryRevision };
      }
    }
    await sleep(POLL_MS);
  }
  throw new Error(`run ${run}: no rollback within ${RUN_TIMEOUT_MS / 1000} s; last status ${JSON.stringify(await rolloutStatus(namespace, name))}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      'error-rate': { type: 'string', default: '0.5' },
      pods: { type: 'string', default: 'real' },
      interval: { type: 'string', default: '2s' },
      window: { type: 'string', default: '10s' },
    },
  });
  const intervalMs = parseDuration(values.interval);
  const windowS = parseDuration(values.window) / 1000;
  if (values.pods !== 'real' && values.pods !== 'stand-in') throw new Error(`--pods must be real or stand-in, got "${values.pods}"`);
  const runs = Number(values.runs);
  const errorRate = Number(values['error-rate']);
  if (!prometheusUrl()) throw new Error('no Prometheus: run `npm run stack:up`');

  const namespace = `bench-detect-${Date.now().toString(36)}`;
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await applyCrds();
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { [TEST_NAMESPACE_LABEL]: 'true' } } } });
  // Background analysis without a count measures every 2 s until the canary ends.
  // The initial delay lets Prometheus find the new stand-in before the first look.
  await createTemplate(namespace, 'error-rate', {
    metrics: [
      errorRateMetric({ count: undefined, initialDelay: '5s', interval: values.interval, provider: { prometheus: { query: errorRateQuery(values.window) } } }),
    ],
  });
  const controller = startController(namespace, ['--no-leader-elect', '--log-level', 'info']);
  const standIns: StandInProcess[] = [];
  const loads: ServiceLoad[] = [];
  const setUp = (name: string) => (values.pods === 'real' ? realCanary(namespace, name, loads) : standInCanary(namespace, name, standIns));
  const cleanup = async (): Promise<void> => {
    for (const l of loads.splice(0)) l.stop();
    await Promise.all(standIns.splice(0).map((p) => p.stop()));
    await controller.kill('SIGTERM');
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().then(() => process.exit(130)));

  const samples: Sample[] = [];
  let queryMs = NaN;
  try {
    await controller.ready;
    console.log(
      `detection-to-rollback latency (${values.pods === 'real' ? 'real pods, traffic through the Service, pod discovery' : 'stand-in processes'}): ` +
        `${runs} runs, error rate ${errorRate} from t0, scrape ${s(SCRAPE_INTERVAL_MS)}, analysis every ${s(intervalMs)}, rate window ${windowS} s`,
    );
    console.log('run   detected   status weight 0   canary RS at 0');
    for (let run = 1; run <= runs; run++) {
      const { sample, canaryRevision } = await oneRun(namespace, run, errorRate, intervalMs, setUp);
      if (run === 1) queryMs = await queryTimeMs(namespace, canaryRevision, values.window);
      samples.push(sample);
      console.log(`${String(run).padStart(3)}   ${s(sample.detectMs).padStart(8)}   ${s(sample.statusMs).padStart(15)}   ${s(sample.rollbackMs).padStart(14)}`);
      await Promise.all(standIns.splice(0).map((p) => p.stop()));
      for (const l of loads.splice(0)) l.stop();
    }
  } finally {
    await cleanup();
  }

  const sorted = (pick: (x: Sample) => number): number[] => samples.map(pick).sort((a, b) => a - b);
  const rollback = sorted((x) => x.rollbackMs);
  const detect = sorted((x) => x.detectMs);
  const floorMs = SCRAPE_INTERVAL_MS + queryMs;
  // A 10 s rate() sees the new error rate only in proportion to how much of its window is new.
  const windowLagMs = (windowS * THRESHOLD * 1000) / errorRate;
  console.log('');
  console.log(`                      median     p95`);
  console.log(`detected          ${s(median(detect)).padStart(10)} ${s(quantile(detect, 0.95)).padStart(8)}`);
  console.log(`rolled back       ${s(median(rollback)).padStart(10)} ${s(quantile(rollback, 0.95)).padStart(8)}   (weight 0 and canary ReplicaSet at 0)`);
  console.log(`floor             ${s(floorMs).padStart(10)}            (scrape interval ${s(SCRAPE_INTERVAL_MS)} + query time ${queryMs.toFixed(1)} ms)`);
  console.log(
    `ratio to floor    ${(median(rollback) / floorMs).toFixed(2).padStart(10)} ${(quantile(rollback, 0.95) / floorMs).toFixed(2).padStart(8)}   (rolled back; goal: median 2, p95 3)`,
  );
  console.log('');
  console.log(
    `Above the floor by design: the ${windowS} s rate window reaches ${THRESHOLD * 100}% errors about ${s(windowLagMs)} after t0 at a ` +
      `${errorRate * 100}% error rate, and the next measurement is 0-${s(intervalMs)} away (mean ${s(intervalMs / 2)}).`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
