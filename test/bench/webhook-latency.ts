/**
 * Admission latency, side by side, load from a separate process at fixed open-loop rates
 * (vegeta, evenly paced, by default: test/bench/support/vegeta.ts; or `hey`, whose workers
 * send in bursts: support/hey.ts), each server in its own process:
 *   floor        a bare node:https server answering one fixed AdmissionReview
 *   clairvoyance `clairvoyance run`'s webhook, a 20-rule ClusterContextPolicy in the cluster,
 *                with --webhook-workers 1 and 2 (CLAIRVOYANCE_WEBHOOK_WORKERS)
 *   workers      the same webhook app and caches in N node:cluster workers, without the controller
 *                (not by default: `clairvoyance run --webhook-workers` measures it for real)
 *   kyverno      Kyverno's admission controller (built from dev/cluster/kyverno), the
 *                closest ClusterPolicy (differences printed)
 * The same AdmissionReview (an UPDATE of a compliant Deployment in a gated, pci namespace,
 * 200 other workloads in the cluster) goes to each. Rates 200, 500, 1000 reviews/s, then
 * higher until p99 reaches 10 ms or the rate is not kept. Then, for the targets the API
 * server calls (clairvoyance, kyverno), the API server's own view: its
 * apiserver_admission_webhook_admission_duration_seconds histogram for the target's
 * webhooks, before and after a burst of 1,000 Deployment updates (20 in flight, every
 * 10th denied), with the burst's wall time. Prints figures, asserts nothing.
 *
 * Run: STACK_NODES=kwok npm run stack:up && npx tsx test/bench/webhook-latency.ts
 *   BENCH_SECONDS=10             seconds per rate
 *   BENCH_LOAD=vegeta            or hey: the load generator
 *   BENCH_TARGETS=floor,clairvoyance,kyverno   (and workers)
 *   CLAIRVOYANCE_WEBHOOK_WORKERS=1,2   `clairvoyance run --webhook-workers` values to measure
 *   BENCH_BURST=1000             Deployment updates in the API server burst (0: none)
 *   BENCH_RATES=200,500,1000     the fixed rates; BENCH_LADDER=1500,2000,3000,4000 beyond
 *   CONTROLLER_FROM_DIST=1       run dist/ (npm run build) instead of the sources via tsx
 *   WEBHOOK_WORKERS=1,2          `workers`: the same webhook code served by N node:cluster workers
 *                                (test/bench/support/admission-workers.ts), to see what more event loops buy
 *   KYVERNO_POLICY=ValidatingPolicy   or ClusterPolicy (kyverno.io/v1, deprecated), or both: ValidatingPolicy,ClusterPolicy
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../../dev/stack/processes.js';
import { repoRoot } from '../../dev/stack/paths.js';
import { WEBHOOK_PATHS } from '../../src/webhook/app.js';
import { kubeconfigPath, kubectl } from '../support/cluster.js';
import { deployment } from '../unit/gates/fixtures.js';
import { review } from '../unit/webhook/review.js';
import { GLOBAL_CONTEXT_ENTRY, KYVERNO_DIFFERENCES, RULES, kyvernoClusterPolicy, kyvernoValidatingPolicy } from './support/bench-policies.js';
import { cpuSeconds, rssMiB } from './support/scale.js';
import { heyBinary, PER_WORKER_RATE, runLoad as runHeyLoad } from './support/hey.js';
import type { LoadResult } from './support/load-result.js';
import { runPacedLoad, vegetaBinary } from './support/vegeta.js';
import { envChoice, envChoices, envInteger, envIntegers, envNumber } from './support/env.js';
import { KYVERNO_NAMESPACE, startKyverno, waitPolicyReady } from './support/kyverno.js';
import {
  deploymentBurst,
  histogramDelta,
  quantileMs,
  scrapeWebhookHistograms,
  shareUnder,
  type BurstResult,
  type WebhookHistograms,
} from './support/apiserver-admission.js';

const SECONDS = envNumber('BENCH_SECONDS', 10);
const LOAD = envChoice('BENCH_LOAD', 'vegeta', ['vegeta', 'hey'], 'vegeta paces evenly; hey sends bursts of rate / 20');
const runLoad = (url: string, body: string, rate: number, seconds: number): Promise<LoadResult> =>
  LOAD === 'hey' ? runHeyLoad(url, body, rate, seconds) : runPacedLoad(url, body, rate, seconds);
const RATES = envIntegers('BENCH_RATES', '200,500,1000', '200,500');
// An empty ladder is allowed: the fixed rates only.
const LADDER = process.env.BENCH_LADDER === '' ? [] : envIntegers('BENCH_LADDER', '1500,2000,3000,4000', '1500,2000');
const TARGETS = envChoices('BENCH_TARGETS', 'floor,clairvoyance,kyverno', ['floor', 'clairvoyance', 'workers', 'kyverno']);
const WORKERS = envIntegers('WEBHOOK_WORKERS', '1,2', '1,2');
const CLAIRVOYANCE_WORKERS = envIntegers('CLAIRVOYANCE_WEBHOOK_WORKERS', '1,2', '1,2');
// 0 skips the API server burst.
const BURST = process.env.BENCH_BURST === '0' ? 0 : envInteger('BENCH_BURST', 1000);
const BURST_DEPLOYMENTS = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
const P99_BUDGET_MS = 10;
const KYVERNO_POLICIES = envChoices('KYVERNO_POLICY', 'ValidatingPolicy', ['ValidatingPolicy', 'ClusterPolicy']);
const NS = 'wh-bench';
const POLICY = 'wh-bench-20-rules';

const log = (msg: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]!.toFixed(2)}] ${msg}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function must(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Pids of a process and its children (a node:cluster primary and its workers). */
function processTree(pid: number): number[] {
  const children = (() => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  return [pid, ...children.flatMap(processTree)];
}

interface Row extends LoadResult {
  cpuMsPerReview: number;
  load: number;
}

interface TargetResult {
  name: string;
  rows: Row[];
  rssMiB: number;
  note: string;
  apiserver?: { burst: BurstResult; webhooks: WebhookHistograms };
}

/** The API server's histogram for the webhooks `names` matches, across one burst of Deployment updates. */
async function apiserverView(kc: KubeConfig, name: string, names: RegExp): Promise<TargetResult['apiserver']> {
  if (BURST <= 0) return undefined;
  const before = await scrapeWebhookHistograms(names);
  const burst = await deploymentBurst(kc, NS, BURST_DEPLOYMENTS, { total: BURST, concurrency: 20, denyEvery: 10 });
  const webhooks = histogramDelta(await scrapeWebhookHistograms(names), before);
  log(
    `${name}: ${burst.updates} Deployment updates in ${(burst.wallMs / 1000).toFixed(1)} s, ${burst.denied} denied, ${burst.failed} failed${burst.firstFailure ? ` (${burst.firstFailure})` : ''}`,
  );
  return { burst, webhooks };
}

async function sweep(name: string, url: string, body: string, pid: number, note: string): Promise<TargetResult> {
  // Warm-up: JIT, TLS sessions, caches.
  await runLoad(url, body, 200, 3);
  const rows: Row[] = [];
  const one = async (rate: number): Promise<Row> => {
    const pids = processTree(pid);
    const cpu0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const load = loadavg()[0]!;
    const r = await runLoad(url, body, rate, SECONDS);
    const cpu1 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const row = { ...r, cpuMsPerReview: ((cpu1 - cpu0) * 1000) / Math.max(1, r.count), load };
    log(
      `${name} @ ${rate}/s: achieved ${r.achieved.toFixed(0)}/s, p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p99.9 ${r.p999.toFixed(2)} ms, non-200 ${r.non200}, ${row.cpuMsPerReview.toFixed(2)} CPU ms/review`,
    );
    return row;
  };
  for (const rate of RATES) rows.push(await one(rate));
  for (const rate of LADDER) {
    const last = rows.at(-1)!;
    if (last.p99 >= P99_BUDGET_MS || last.achieved < 0.95 * last.rate) break;
    rows.push(await one(rate));
  }
  const rss = processTree(pid).reduce((s, p) => s + rssMiB(p), 0);
  return { name, rows, rssMiB: rss, note };
}

function highestUnderBudget(t: TargetResult): number | undefined {
  const ok = t.rows.filter((r) => r.p99 < P99_BUDGET_MS && r.achieved >= 0.95 * r.rate && r.non200 === 0);
  return ok.length ? Math.max(...ok.map((r) => r.rate)) : undefined;
}

function waitForLine(proc: ChildProcess, pattern: RegExp, what: string, timeoutMs = 120_000): Promise<RegExpExecArray> {
  let output = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what}: no ${pattern} after ${timeoutMs / 1000}s:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-64 * 1024);
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => rej(new Error(`${what} exited (${code}):\n${output.slice(-2000)}`)));
  });
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(15_000).then(() => proc.kill('SIGKILL'))]);
}

async function postOnce(url: string, body: string): Promise<unknown> {
  const { request } = await import('node:https');
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (r) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => {
        try {
          res(JSON.parse(text));
        } catch {
          rej(new Error(`${url}: HTTP ${r.statusCode}: ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** The same review without the flag annotation: every target must deny it, or its policy is not in force. */
function deniedBody(body: string): string {
  const parsed = JSON.parse(body) as { request: { uid: string; object: { spec: { template: { metadata: { annotations: Record<string, string> } } } } } };
  delete parsed.request.object.spec.template.metadata.annotations['clairvoyance.dev/flag'];
  parsed.request.uid = 'probe-denied';
  return JSON.stringify(parsed);
}

async function checkDenies(name: string, url: string, body: string): Promise<void> {
  const answer = await postOnce(url, deniedBody(body));
  const allowed = (answer as { response?: { allowed?: boolean } }).response?.allowed;
  log(`${name} on the same change without its flag: ${verdict(answer).slice(0, 160)}`);
  if (allowed !== false) throw new Error(`${name} allowed a change its policy denies: the policy is not in force`);
}

function verdict(answer: unknown): string {
  const response = (answer as { response?: { allowed?: boolean; warnings?: string[]; status?: { message?: string } } }).response;
  return `allowed=${response?.allowed} ${response?.status?.message ?? ''} ${response?.warnings?.length ? `warnings=${response.warnings.length}` : ''}`.trim();
}

/** The pod template annotations of a change every rule admits. */
const COMPLIANT_TEMPLATE = {
  'clairvoyance.dev/origin': 'ai-generated',
  'clairvoyance.dev/provides': 'orders-api@v2',
  'clairvoyance.dev/flag': 'checkout-v2',
  'clairvoyance.dev/reviewed-by': 'alice',
};

async function setUpCluster(kc: KubeConfig): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  await must(['apply', '--server-side', '--force-conflicts', '-f', resolve(repoRoot, 'manifests/crds/')]);
  const namespaces = [
    { name: NS, labels: { 'clairvoyance.dev/gated': 'true', 'clairvoyance.dev/data-class': 'pci', 'clairvoyance.dev/bench': 'webhook-latency' } },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `${NS}-team-${i}`, labels: { 'clairvoyance.dev/bench': 'webhook-latency-workloads' } })),
  ];
  // Applied, so labels are set on namespaces a previous run left behind too.
  await must(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces.map((metadata) => ({ apiVersion: 'v1', kind: 'Namespace', metadata })) }),
  );
  // 200 other workloads, so the contract rule scans a realistic cluster.
  log('creating 200 workloads for the contract rule');
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const d = deployment({
        name: `svc-${i}`,
        namespace: `${NS}-team-${i % 20}`,
        templateAnnotations: { 'clairvoyance.dev/consumes': `api-${i % 7}@v1`, 'clairvoyance.dev/provides': `svc-${i}@v1` },
        mutate: (x) => (x.spec!.replicas = 0),
      });
      await apps.createNamespacedDeployment({ namespace: d.metadata!.namespace!, body: d }).catch((e: unknown) => {
        if ((e as { code?: number }).code !== 409) throw e;
      });
    }),
  );
  // The API server burst's Deployments, compliant, in the gated namespace; created before
  // any webhook is registered, and present for every target, so each scans the same cluster.
  await Promise.all(
    BURST_DEPLOYMENTS.map(async (name) => {
      const d = deployment({
        name,
        namespace: NS,
        templateAnnotations: { ...COMPLIANT_TEMPLATE, 'clairvoyance.dev/provides': `${name}@v1` },
        mutate: (x) => (x.spec!.replicas = 0),
      });
      await apps.createNamespacedDeployment({ namespace: NS, body: d }).catch((e: unknown) => {
        if ((e as { code?: number }).code !== 409) throw e;
      });
    }),
  );
  const policy = {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'ClusterContextPolicy',
    metadata: { name: POLICY },
    // Scoped to the benchmark's namespace, so no other namespace's Rollouts are gated by it.
    spec: { enforcement: 'Enforce', match: { namespaceSelector: { matchLabels: { 'clairvoyance.dev/bench': 'webhook-latency' } } }, rules: RULES },
  };
  await must(['apply', '-f', '-'], JSON.stringify(policy));
}

async function runFloor(body: string): Promise<TargetResult> {
  const proc = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'test/bench/support/admission-floor.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const m = await waitForLine(proc, /listening (\d+)/, 'floor');
    const url = `https://127.0.0.1:${m[1]}/validate`;
    return await sweep('floor', url, body, proc.pid!, 'node:https, fixed answer');
  } finally {
    await stopProcess(proc);
  }
}

async function runWorkers(body: string, workers: number): Promise<TargetResult> {
  const proc = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, 'test/bench/support/admission-workers.ts')], {
    cwd: repoRoot,
    env: { ...process.env, WORKERS: String(workers), KUBECONFIG: kubeconfigPath() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const m = await waitForLine(proc, /listening (\d+)/, 'admission workers');
    const url = `https://127.0.0.1:${m[1]}${WEBHOOK_PATHS.validateDeployments}`;
    await checkDenies(`workers ×${workers}`, url, body);
    return await sweep(`webhook app ×${workers} workers`, url, body, proc.pid!, `${RULES.length} rules, node:cluster, no controller`);
  } finally {
    await stopProcess(proc);
  }
}

async function runClairvoyance(kc: KubeConfig, body: string, workers: number): Promise<TargetResult> {
  const fromDist = process.env.CONTROLLER_FROM_DIST === '1';
  const port = await freePort();
  const args = [
    ...(fromDist ? [resolve(repoRoot, 'dist/cli/main.js')] : ['--import', 'tsx', resolve(repoRoot, 'src/cli/main.ts')]),
    'run',
    '--kubeconfig',
    kubeconfigPath(),
    '--no-leader-elect',
    '--bind-address',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--health-port',
    '0',
    '--webhook-port',
    String(port),
    '--webhook-host',
    '127.0.0.1',
    '--webhook-configuration-name',
    'clairvoyance-wh-bench',
    '--log-level',
    'warn',
    '--webhook-workers',
    String(workers),
  ];
  const proc = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForLine(proc, /webhook on port (\d+)/, 'clairvoyance run');
    const url = `https://127.0.0.1:${port}${WEBHOOK_PATHS.validateDeployments}`;
    // The policy reaches the webhook through its informer: wait until the review sees all 20 rules.
    for (let i = 0; ; i++) {
      const answer = await postOnce(url, body.replace('"uid-1"', '"probe"'));
      const text = JSON.stringify(answer);
      if ((answer as { response?: { allowed?: boolean } }).response?.allowed === true || i > 30) {
        log(`clairvoyance answers: ${verdict(answer)}`);
        break;
      }
      log(`clairvoyance not ready: ${text.slice(0, 200)}`);
      await sleep(1000);
    }
    const name = workers > 1 ? `clairvoyance ×${workers} workers` : 'clairvoyance';
    await checkDenies(name, url, body);
    const result = await sweep(name, url, body, proc.pid!, `${RULES.length} rules, ${fromDist ? 'dist' : 'tsx'}, --webhook-workers ${workers}`);
    const apiserver = await apiserverView(kc, name, /\.clairvoyance\.dev$/);
    return apiserver ? { ...result, apiserver } : result;
  } finally {
    await stopProcess(proc);
  }
}

async function runKyverno(kc: KubeConfig, body: string, kind: 'ValidatingPolicy' | 'ClusterPolicy'): Promise<TargetResult> {
  const kyverno = await startKyverno(log);
  const resource = kind === 'ClusterPolicy' ? 'clusterpolicy' : 'validatingpolicies.policies.kyverno.io';
  try {
    await must(['apply', '-f', '-'], JSON.stringify(GLOBAL_CONTEXT_ENTRY));
    await must(['apply', '-f', '-'], JSON.stringify(kind === 'ClusterPolicy' ? kyvernoClusterPolicy(POLICY) : kyvernoValidatingPolicy(POLICY)));
    await waitPolicyReady(kind, POLICY);
    // The paths Kyverno registers for each kind (a ValidatingPolicy's names its policies).
    const url = `https://127.0.0.1:${kyverno.port}${kind === 'ClusterPolicy' ? '/validate/fail' : `/vpol/${POLICY}`}`;
    for (let i = 0; ; i++) {
      const answer = await postOnce(url, body.replace('"uid-1"', '"probe"'));
      log(`kyverno answers: ${verdict(answer)}`);
      if ((answer as { response?: { allowed?: boolean } }).response?.allowed === true || i > 10) break;
      await sleep(2000);
    }
    await checkDenies('kyverno', url, body);
    const note = kind === 'ClusterPolicy' ? '20 rules, ClusterPolicy: 19 validate.cel, 1 JMESPath' : '20 validations in one ValidatingPolicy (CEL)';
    const name = kind === 'ClusterPolicy' ? 'kyverno ClusterPolicy' : 'kyverno';
    const result = await sweep(name, url, body, kyverno.proc.pid!, note);
    const apiserver = await apiserverView(kc, name, /kyverno/);
    return apiserver ? { ...result, apiserver } : result;
  } finally {
    await kyverno.stop();
    await kubectl(['delete', resource, POLICY, '--ignore-not-found']);
    await kubectl(['delete', 'globalcontextentry', 'bench-deployments', '--ignore-not-found']);
    // Kyverno leaves its webhook configurations behind when stopped: remove them.
    await kubectl([
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      '-l',
      'webhook.kyverno.io/managed-by=kyverno',
      '--ignore-not-found',
    ]);
    await kubectl(['-n', KYVERNO_NAMESPACE, 'delete', 'lease', '--all', '--ignore-not-found']);
  }
}

const METRIC_NAME = 'apiserver_admission_webhook_admission_duration_seconds';

function pct(share: number): string {
  return Number.isNaN(share) ? '-' : `${(share * 100).toFixed(0)}%`;
}

function fmt(n: number | undefined, digits = 2): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
}

async function main(): Promise<void> {
  if (LOAD === 'hey') heyBinary();
  else await vegetaBinary();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  await setUpCluster(kc);
  const object = deployment({ namespace: NS, templateAnnotations: COMPLIANT_TEMPLATE });
  const old = deployment({ namespace: NS, templateAnnotations: { 'clairvoyance.dev/provides': 'orders-api@v1,orders-api@v2' } });
  const body = JSON.stringify(review(object, { operation: 'UPDATE', oldObject: old, namespace: NS }));

  const results: TargetResult[] = [];
  try {
    for (const target of TARGETS) {
      log(`measuring ${target}`);
      if (target === 'floor') results.push(await runFloor(body));
      else if (target === 'clairvoyance') for (const w of CLAIRVOYANCE_WORKERS) results.push(await runClairvoyance(kc, body, w));
      else if (target === 'workers') for (const w of WORKERS) results.push(await runWorkers(body, w));
      else if (target === 'kyverno') for (const kind of KYVERNO_POLICIES) results.push(await runKyverno(kc, body, kind));
      else throw new Error(`unknown target ${target}`);
    }
  } finally {
    log('cleaning up: the policy, the webhook configurations, the namespaces');
    await kubectl(['delete', 'clustercontextpolicy', POLICY, '--ignore-not-found']);
    await kubectl(['delete', 'validatingwebhookconfiguration,mutatingwebhookconfiguration', 'clairvoyance-wh-bench', '--ignore-not-found']);
    await kubectl(['delete', 'namespace', '-l', 'clairvoyance.dev/bench in (webhook-latency,webhook-latency-workloads)', '--wait=true', '--timeout=120s']);
  }

  const floor = results.find((r) => r.name === 'floor');
  const kyverno = results.find((r) => r.name === 'kyverno');
  const at = (t: TargetResult | undefined, rate: number): Row | undefined => t?.rows.find((r) => r.rate === rate);
  console.log(
    `\nadmission latency: ${LOAD === 'hey' ? `hey (separate process, open loop, rate / ${PER_WORKER_RATE} workers sending together every ${1000 / PER_WORKER_RATE} ms)` : 'vegeta (separate process, open loop, evenly paced)'}, ${SECONDS} s per rate, body ${body.length} B, ${cpus().length} cores, node ${process.version}`,
  );
  console.log('target                     rate/s  achieved  p50 ms  p99 ms  p99.9 ms  non-200  CPU ms/review  load   p99/floor  p99/kyverno');
  for (const t of results) {
    for (const r of t.rows) {
      const f = at(floor, r.rate);
      const k = at(kyverno, r.rate);
      console.log(
        `${t.name.padEnd(26)} ${String(r.rate).padStart(6)} ${r.achieved.toFixed(0).padStart(9)} ${fmt(r.p50).padStart(7)} ${fmt(r.p99).padStart(7)} ${fmt(r.p999).padStart(9)} ${String(r.non200).padStart(8)} ${fmt(r.cpuMsPerReview).padStart(14)} ${r.load.toFixed(2).padStart(5)} ${(f && t !== floor ? fmt(r.p99 / f.p99) : '').padStart(10)} ${(k && t !== kyverno ? fmt(r.p99 / k.p99) : '').padStart(12)}`,
      );
    }
  }
  console.log('\nhighest rate with p99 < 10 ms (rate kept, no errors), RSS after the sweep');
  for (const t of results) {
    console.log(`  ${t.name.padEnd(26)} ${String(highestUnderBudget(t) ?? 'none').padStart(6)} reviews/s   ${t.rssMiB} MiB   (${t.note})`);
  }
  const viewed = results.filter((t) => t.apiserver);
  if (viewed.length > 0) {
    console.log(
      `\nthe API server's view: ${METRIC_NAME} over ${BURST} Deployment updates (metadata annotation, 20 in flight, every 10th drops the team label), quantiles estimated from the histogram delta (buckets 5, 25, 100 ms ...)`,
    );
    console.log('target                     webhook                                       type        calls  p50 ms  p99 ms  ≤5 ms  ≤25 ms  rejected');
    for (const t of viewed) {
      for (const [key, h] of t.apiserver!.webhooks) {
        const [webhook = '', type = ''] = key.split(' ');
        console.log(
          `${t.name.padEnd(26)} ${webhook.padEnd(45)} ${type.padEnd(10)} ${String(h.count).padStart(6)} ${fmt(quantileMs(h, 0.5)).padStart(7)} ${fmt(quantileMs(h, 0.99)).padStart(7)} ${pct(shareUnder(h, 0.005)).padStart(6)} ${pct(shareUnder(h, 0.025)).padStart(7)} ${String(h.rejected).padStart(9)}`,
        );
      }
      const b = t.apiserver!.burst;
      console.log(
        `${''.padEnd(26)} burst: ${b.updates} updates in ${(b.wallMs / 1000).toFixed(2)} s (${((b.updates * 1000) / b.wallMs).toFixed(0)}/s), ${b.denied} denied, ${b.failed} failed`,
      );
    }
  }
  for (const kind of TARGETS.includes('kyverno') ? KYVERNO_POLICIES : []) {
    console.log(`\nKyverno ${kind}: differences from the Clairvoyance rules`);
    for (const d of KYVERNO_DIFFERENCES[kind]) console.log(`  - ${d}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
