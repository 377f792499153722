// `npm run demo`: the local stack, `clairvoyance run` against it, and five changes
// to a shop's checkout service, each with the outcome production context demands.
// Every revision runs as real pods on the stack's real node; clients reach them through
// the checkout Service, and Prometheus finds them through pod discovery.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RolloutStatus } from '../../src/api/index.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { paths } from '../stack/paths.js';
import { up } from '../stack/stack.js';
import type { AppBehaviour } from '../stand-in/pod.js';
import { ServiceLoad } from '../stand-in/service-load.js';
import { checkoutDeployment, type CheckoutChange } from './checkout.js';
import { Cluster } from './cluster.js';
import { printCycleSummary } from './cycle-summary.js';
import { ledgerReport } from './ledger-report.js';
import { c, say, section } from './output.js';
import { Timeline } from './timeline.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NS = 'demo-shop';
const CONTROLLER_NS = 'clairvoyance-system';
const WEBHOOK_CONFIG = 'clairvoyance-demo';

interface Outcome {
  scenario: string;
  expected: string;
  passed: boolean;
  detail: string;
}

const outcomes: Outcome[] = [];
/** Clients of checkout, through its Service's ClusterIP. */
let load: ServiceLoad | undefined;
const CLIENT_RPS = 30;
let controller: ChildProcess | undefined;
let removeControllerTarget: (() => void) | undefined;
let demoCluster: Cluster | undefined;

function addTarget(name: string, target: string, labels: Record<string, string>): () => void {
  mkdirSync(paths.prometheusTargets, { recursive: true });
  const file = join(paths.prometheusTargets, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [target], labels }]));
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}

async function main(): Promise<number> {
  const started = Date.now();
  section('Clairvoyance demo');
  say('Starting (or reusing) the local stack: etcd, kube-apiserver, controller-manager, scheduler, a real node (kubelet, containerd), kwok, Prometheus.');
  const { state } = await up();
  const cluster = new Cluster(state.kubeconfig, state.binaries.kubectl);
  demoCluster = cluster;
  await preflight(state.kubeconfig, state.prometheusUrl);

  section('Setup');
  await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'manifests/crds/')]);
  await cluster.recreateNamespace(NS, { 'clairvoyance.dev/gated': 'true', 'clairvoyance.dev/demo': 'true' });
  await cluster.ensureNamespace(CONTROLLER_NS);
  say(`Namespace ${NS} is gated (clairvoyance.dev/gated=true): the webhook denies there.`);

  const metricsPort = await startController(state.kubeconfig, state.prometheusUrl);
  // Prometheus scrapes the controller too, so the Grafana dashboard has its series.
  removeControllerTarget = addTarget('clairvoyance-demo-controller', `127.0.0.1:${metricsPort}`, { job: 'clairvoyance' });
  await cluster.kubectl(['apply', '-f', join(root, 'dev/demo/manifests/')]);
  say('Applied: a ClusterContextPolicy for AI-generated changes, analysis templates, the checkout flag, the Rollout, and billing (consumes orders-api@v1).');
  await cluster.waitForWebhook(checkoutDeployment({ version: 'probe', origin: 'ai-generated', compliant: false }));
  say('clairvoyance run is up: controller + admission webhook (registered with the API server, called over TLS).');

  // The service as it runs in production today: hand-written, compliant.
  const v1 = checkoutDeployment({ version: '1.0.0', origin: 'human', compliant: true });
  await cluster.applyDeployment(v1);
  const adopted = await cluster.waitForRollout('checkout', (s) => s.phase === 'Healthy' && !!s.stableRevision && (s.readyReplicas ?? 0) >= 4, 120_000);
  if (adopted.phase !== 'Healthy') throw new Error(`checkout v1.0.0 was not adopted: ${adopted.message ?? adopted.phase ?? 'no status'}`);
  say(`checkout v1.0.0 adopted: revision ${adopted.stableRevision} is stable, its pods running on the real node:`);
  say(c.dim(indent((await cluster.kubectl(['get', 'pods', '-n', NS, '-l', 'app=checkout', '-o', 'wide'])).stdout)));
  const clusterIp = await cluster.serviceIp('checkout');
  load = new ServiceLoad(clusterIp, 80, CLIENT_RPS).start();
  say(`Clients call the checkout Service (${clusterIp}:80) at ${CLIENT_RPS} requests/s; kube-proxy splits them across ready pods.`);

  await scenario1(cluster);
  await scenario2(cluster);
  await scenario3(cluster);
  await scenario4(cluster);
  await scenario5(cluster);
  await handWritten(cluster);

  // Let Prometheus take a last scrape of the controller before it stops.
  await new Promise((r) => setTimeout(r, 2_000));
  section('Cycle time by origin (authored -> stable or rolled back)');
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  printCycleSummary(metrics);

  section('The change ledger: DORA keys by origin (npx clairvoyance report -n demo-shop)');
  // The Rollout's stabilityWindow is 10s here, so the promoted changes turn Stable within the run.
  process.stdout.write(await ledgerReport(state.kubeconfig, NS, 30_000));

  section('Results');
  for (const o of outcomes) say(`${o.passed ? c.green('PASS') : c.red('FAIL')}  ${o.scenario}: expected ${o.expected}${o.passed ? '' : ` — ${o.detail}`}`);
  say(`Finished in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  return outcomes.every((o) => o.passed) ? 0 : 1;
}

/**
 * What `clairvoyance doctor` would flag and the demo depends on: a configuration left by
 * a run that died fails closed for gated namespaces (the demo's would be refused), and
 * analysis needs Prometheus. The demo's own configuration is not among them: its
 * controller replaces a stale one when it starts. Stops with a plain sentence and the fix.
 */
async function preflight(kubeconfig: string, prometheusUrl: string): Promise<void> {
  const report = await runDoctor(
    {
      kc: loadKubeConfig(kubeconfig),
      controllerNamespace: CONTROLLER_NS,
      leaseName: 'clairvoyance-controller',
      configurationName: WEBHOOK_CONFIG,
      prometheusUrl,
    },
    ['stale-webhooks', 'prometheus'],
  );
  if (report.ok) {
    say('Preflight: no stale webhook configuration, Prometheus answers.');
    return;
  }
  throw new PreflightError(
    report.checks
      .filter((c) => !c.ok)
      .map((c) => `${c.message}\n  fix: ${c.fix ?? ''}`)
      .join('\n'),
  );
}

class PreflightError extends Error {
  constructor(detail: string) {
    super(`the demo cannot run on this cluster as it is:
${detail}`);
    this.name = 'PreflightError';
  }
}

function record(scenario: string, expected: string, passed: boolean, detail: string): void {
  outcomes.push({ scenario, expected, passed, detail });
  say(passed ? c.green(`✓ ${expected}`) : c.red(`✗ expected ${expected}: ${detail}`));
}

/** (1) An AI-generated change without owner, flag or metrics is denied at apply time. */
async function scenario1(cluster: Cluster): Promise<void> {
  section('1. An AI-generated change without owner, flag or metrics wiring');
  const change = checkoutDeployment({ version: '2.0.0', origin: 'ai-generated', compliant: false });
  const res = await cluster.applyDeployment(change, { expectFailure: true });
  say('kubectl apply answered:');
  say(denial(res.stderr));
  const ids = ['owner-labels', 'metrics-wired', 'behind-a-flag'];
  const missing = ids.filter((id) => !res.stderr.includes(id));
  record(
    '1 denied at apply',
    'a denial naming owner-labels, metrics-wired and behind-a-flag with rationale and fix',
    res.code !== 0 && missing.length === 0,
    res.code === 0 ? 'the change was admitted' : `missing rule ids: ${missing.join(', ')}`,
  );
}

/** (2) Its corrected version goes through the canary and is promoted. */
async function scenario2(cluster: Cluster): Promise<void> {
  section('2. The corrected change: canary, flag, analysis, promotion');
  const before = await cluster.rolloutStatus('checkout');
  const change = checkoutDeployment({ version: '2.0.1', origin: 'ai-generated', compliant: true, authoredMinutesAgo: 95 });
  await runCanary(cluster, change);
  const done = await cluster.waitForRollout(
    'checkout',
    (s) => (s.phase === 'Healthy' && s.stableRevision !== before.stableRevision) || s.phase === 'Degraded',
    180_000,
  );
  const flag = await cluster.flagDefault('checkout-flags', 'new-checkout');
  record(
    '2 promoted',
    'Healthy on the new revision with the flag on',
    done.phase === 'Healthy' && flag === 'on',
    `phase ${done.phase} (${done.message ?? ''}), flag ${flag}`,
  );
}

/** (3) A canary that throws errors is rolled back by analysis, flag first. */
async function scenario3(cluster: Cluster): Promise<void> {
  section('3. A change whose canary throws errors (10% 5xx)');
  await cluster.setFlagDefault('checkout-flags', 'new-checkout', 'off');
  const change = checkoutDeployment({ version: '2.1.0', origin: 'ai-generated', compliant: true, authoredMinutesAgo: 40, behaviour: { errorRate: 0.1 } });
  const failingSince = await runCanary(cluster, change);
  const done = await cluster.waitForRollout('checkout', (s) => s.phase === 'Degraded' || s.phase === 'Healthy', 180_000);
  const detectedMs = Date.now() - failingSince;
  const flag = await cluster.flagDefault('checkout-flags', 'new-checkout');
  say(`Detection: ${(detectedMs / 1000).toFixed(1)} s from the canary's first ready pod serving errors to weight 0 (1 s scrape, 2 s analysis interval).`);
  say(`Flag new-checkout is now "${flag}": the kill switch went first, then the canary went to weight 0.`);
  record(
    '3 rolled back',
    'Degraded by the error-rate analysis with the flag killed',
    done.phase === 'Degraded' && done.reason === 'AnalysisFailed' && flag === 'off' && (done.weights?.canary ?? 1) === 0,
    `phase ${done.phase} reason ${done.reason ?? ''} flag ${flag}`,
  );
}

/** (4) A canary that emits no telemetry is stopped by the observability gate. */
async function scenario4(cluster: Cluster): Promise<void> {
  section('4. A change whose canary serves but emits no telemetry');
  const change = checkoutDeployment({ version: '2.2.0', origin: 'ai-generated', compliant: true, authoredMinutesAgo: 25, behaviour: { telemetry: 'none' } });
  await runCanary(cluster, change);
  const done = await cluster.waitForRollout('checkout', (s) => s.phase === 'Degraded' || s.phase === 'Healthy', 180_000);
  say(`Verdict: ${done.message ?? ''}`);
  record(
    '4 observability gate',
    'Degraded, naming the missing signal',
    done.phase === 'Degraded' && /signal|requests|scraped|logs|traces/i.test(done.message ?? ''),
    `phase ${done.phase}: ${done.message ?? ''}`,
  );
}

/** (5) A change that drops an API version still consumed is stopped, naming the consumer. */
async function scenario5(cluster: Cluster): Promise<void> {
  section('5. A change that drops orders-api@v1 while billing still consumes it');
  const change = checkoutDeployment({ version: '3.0.0', origin: 'ai-generated', compliant: true, provides: 'orders-api@v2' });
  const res = await cluster.applyDeployment(change, { expectFailure: true });
  say(denial(res.stderr));
  record(
    '5 contract',
    'a denial naming the consumer billing',
    res.code !== 0 && res.stderr.includes('billing'),
    res.code === 0 ? 'the change was admitted' : 'the denial does not name billing',
  );
}

/** For comparison: a hand-written change through the same gates and canary. */
async function handWritten(cluster: Cluster): Promise<void> {
  section('For comparison: a hand-written change through the same canary');
  await cluster.setFlagDefault('checkout-flags', 'new-checkout', 'off');
  const before = await cluster.rolloutStatus('checkout');
  const change = checkoutDeployment({ version: '2.3.0', origin: 'human', compliant: true, authoredMinutesAgo: 300 });
  await runCanary(cluster, change);
  const done = await cluster.waitForRollout(
    'checkout',
    (s) => (s.phase === 'Healthy' && s.stableRevision !== before.stableRevision) || s.phase === 'Degraded',
    180_000,
  );
  record('hand-written change', 'promoted', done.phase === 'Healthy', `phase ${done.phase}: ${done.message ?? ''}`);
}

/**
 * Applies a change and follows its canary. Returns when its first canary pod was Ready
 * (the moment its behaviour starts to show), after the canary reached a verdict.
 */
async function runCanary(cluster: Cluster, change: CheckoutChange): Promise<number> {
  const before = await cluster.rolloutStatus('checkout');
  const res = await cluster.applyDeployment(change);
  if (res.code !== 0) throw new Error(`applying ${change.metadata.name} ${change.version} failed: ${res.stderr}`);
  say(`Applied checkout ${change.version} (origin ${change.origin}${change.behaviour ? `; its pods: ${describe(change.behaviour)}` : ''}).`);
  const timeline = new Timeline('checkout', trafficPerStep(before.weights?.canary ?? 0));
  const stop = timeline.follow(() => cluster.rolloutStatus('checkout'));
  try {
    const s = await cluster.waitForRollout(
      'checkout',
      (st) =>
        !!st.canaryRevision && st.canaryRevision !== before.stableRevision && st.canaryRevision !== before.canaryRevision && (st.updatedReplicas ?? 0) > 0,
      120_000,
    );
    const since = Date.now();
    say(c.dim(`  (canary ${s.canaryRevision ?? '?'}: first pod Ready on the real node)`));
    await cluster.waitForRollout('checkout', (st) => st.phase === 'Healthy' || st.phase === 'Degraded' || st.phase === 'Blocked', 180_000);
    return since;
  } finally {
    await stop();
  }
}

/**
 * The canary's measured share of the requests clients sent while a weight held, printed
 * when the weight changes. Periods spent waiting for pods to become Ready are left out:
 * the weight is what the controller asked for, the share is what the Service gave.
 */
function trafficPerStep(initialWeight: number): (s: RolloutStatus) => string | undefined {
  load?.take();
  let weight = initialWeight;
  let waiting = true;
  let held = { canary: 0, answered: 0, errors: 0 };
  return (s) => {
    const stats = load?.take();
    if (stats && s.canaryRevision && !waiting && weight > 0) {
      held.canary += stats.byRevision[s.canaryRevision] ?? 0;
      held.answered += Object.values(stats.byRevision).reduce((a, b) => a + b, 0);
      held.errors += stats.byStatus['500'] ?? 0;
    }
    const next = s.weights?.canary ?? 0;
    let note: string | undefined;
    if (next !== weight) {
      if (held.answered >= 50) {
        const share = ((held.canary / held.answered) * 100).toFixed(0);
        note = `measured at weight ${weight}%: the canary served ${share}% of ${held.answered} requests through the Service${held.errors ? ` (${held.errors} answered 500)` : ''}`;
      }
      held = { canary: 0, answered: 0, errors: 0 };
    }
    weight = next;
    waiting = s.reason === 'WaitingForReplicas';
    return note;
  };
}

/** kubectl prints the whole rejected patch first; the reasons start at the webhook's words. */
function denial(stderr: string): string {
  const at = stderr.indexOf('denied the request:');
  const text = at >= 0 ? `Error from server (Forbidden): admission webhook ${stderr.slice(at)}` : stderr;
  return text
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function describe(b: AppBehaviour): string {
  if (b.telemetry === 'none') return 'serve requests, export no metrics';
  return b.errorRate ? `${Math.round(b.errorRate * 100)}% of requests fail` : 'healthy';
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

async function startController(kubeconfig: string, prometheusUrl: string): Promise<number> {
  mkdirSync(paths.logs, { recursive: true });
  const log = join(paths.logs, 'demo-controller.log');
  const out = createWriteStream(log);
  const args = [
    '--import',
    'tsx',
    join(root, 'src/cli/main.ts'),
    'run',
    '--kubeconfig',
    kubeconfig,
    '--namespace',
    NS,
    '--prometheus-url',
    prometheusUrl,
    '--leader-election-namespace',
    CONTROLLER_NS,
    '--controller-namespace',
    CONTROLLER_NS,
    '--webhook-host',
    '127.0.0.1',
    '--webhook-port',
    '0',
    '--webhook-configuration-name',
    WEBHOOK_CONFIG,
    '--bind-address',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--health-port',
    '0',
    '--signal-discovery-grace',
    '20s',
    '--log-level',
    'info',
  ];
  controller = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  controller.stdout!.pipe(out);
  let stderr = '';
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`clairvoyance run did not start within 60 s; see ${log}`)), 60_000);
    controller!.stderr!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      stderr += chunk.toString();
      const m = /metrics on port (\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    controller!.once('exit', (code) => reject(new Error(`clairvoyance run exited (${code}); see ${log}`)));
  });
}

/** Runs on every exit path (done, failed, SIGINT, SIGTERM): nothing of the demo outlives it. */
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    load?.stop();
    removeControllerTarget?.();
    if (controller && controller.exitCode === null && controller.signalCode === null) {
      const exited = new Promise((r) => controller!.once('exit', r));
      controller.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (controller.exitCode === null && controller.signalCode === null) controller.kill('SIGKILL');
    }
    // The controller removes its own registration on SIGTERM; this covers a controller
    // that crashed or was killed. Gated namespaces must not stay closed behind the demo.
    await demoCluster?.deleteWebhookConfigurations(WEBHOOK_CONFIG);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\ndemo interrupted (${signal}): stopping the controller and removing its webhook configurations\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

void main()
  .catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  })
  .then(async (code) => {
    await cleanup().catch((err: unknown) => process.stderr.write(`demo clean-up failed: ${err instanceof Error ? err.message : String(err)}\n`));
    process.exit(code);
  });
