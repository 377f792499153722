// Scale benchmark, side by side: N Rollouts on one Clairvoyance controller process and,
// in the same run, N Argo Rollouts `Rollout`s (workloadRef to a Deployment, the same three
// steps) on Argo Rollouts' controller (built from dev/cluster/argo-rollouts), against the
// local stack's kwok nodes. One namespace per controller and N, each controller limited to
// it. For each: time to adopt all, steady and peak RSS, the private part of the steady RSS
// (without the pages of the executable itself), RSS per Rollout (slope over the Ns), time
// for all to pass a 3-step canary, API writes per step, reconcile p99; then the ratio
// Clairvoyance / Argo. Prints figures, asserts nothing.
//
// Run: STACK_NODES=kwok npm run stack:up && npx tsx test/bench/controller-scale.ts
//   BENCH_ROLLOUTS=1000,5000,10000  the Ns (comma-separated; the slope needs two; 200,1000 for a shorter run)
//   BENCH_CONTROLLERS=clairvoyance,argo
//   CONTROLLER_FROM_DIST=1 MALLOC_ARENA_MAX=2   run dist/ (npm run build) as installed
//   ARGO_QPS, ARGO_BURST            Argo's client rate limit (default: its own, 40 / 80)
//   BENCH_TEMPLATE=realistic        pod templates of about 3 KB (env, probes, volumes) instead of one image
//   BENCH_HEAP=1                    also a heap snapshot of the Clairvoyance process at steady state
//   BENCH_CANARY_MAX=1000           the largest N that also runs the canary wave; above it, adoption and
//                                   steady memory only (at 5,000 and more, kube-scheduler and kwok placing
//                                   every canary pod on 2 cores are the limit); BENCH_CANARY=0: no wave at all
//   CLAIRVOYANCE_KEEP_RS_TEMPLATES=1  the controller keeps ReplicaSets' pod templates in its cache
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/index.js';
import { peerModuleDir, resolveArgoRollouts } from '../../dev/stack/binaries.js';
import { freePort } from '../../dev/stack/processes.js';
import { repoRoot } from '../../dev/stack/paths.js';
import { kubeConfig, kubeconfigPath, kubectl } from '../support/cluster.js';
import { metricSum, startController } from '../support/controller.js';
import { takeSnapshot, type HeapSummary } from './support/heap-snapshot.js';
import { cpuSeconds, createIdleDeployment, log, mib, pool, rolloutStates, setAppImage, sleep, statusKiB, waitAll, type RolloutKind } from './support/scale.js';
import { envChoices, envInteger, envIntegers } from './support/env.js';

const NS_SIZES = envIntegers('BENCH_ROLLOUTS', '1000,5000,10000', '200,1000');
const CONTROLLERS = envChoices('BENCH_CONTROLLERS', 'clairvoyance,argo', ['clairvoyance', 'argo']);
const WORKERS = 8;
const REALISTIC = process.env.BENCH_TEMPLATE === 'realistic';
const HEAP = process.env.BENCH_HEAP === '1';
const CANARY_MAX = process.env.BENCH_CANARY === '0' ? 0 : envInteger('BENCH_CANARY_MAX', 1000);
const canaryAt = (n: number): boolean => n <= CANARY_MAX;
// Argo adopts a few Rollouts a second here: 30 minutes, or 0.5 s per Rollout at large N.
const ADOPT_TIMEOUT_MS = (n: number): number => Math.max(30 * 60_000, n * 500);
const heapDir = mkdtempSync(join(tmpdir(), 'scale-heap-'));

/** The pod template of app `app` at image tag `tag`: one container, or (realistic) what a service usually carries. */
function podTemplate(app: string, tag: number): V1PodTemplateSpec {
  const image = `registry.example/app:${tag}`;
  if (!REALISTIC) return { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image }] } };
  return {
    metadata: {
      labels: { app, team: 'payments', tier: 'backend' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'clairvoyance.dev/origin': 'human' },
    },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image,
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: 'metrics', containerPort: 9090 },
          ],
          env: [
            ...Array.from({ length: 16 }, (_, i) => ({ name: `APP_SETTING_${i}`, value: `value-${i}-${app}` })),
            { name: 'OTEL_SERVICE_NAME', value: app },
            { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4318' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 10, failureThreshold: 3 },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/app' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: `${app}-config` } },
        { name: 'tmp', emptyDir: {} },
      ],
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app } } },
      ],
    },
  };
}
const STEPS = [{ setWeight: 50 }, { pause: { duration: '1s' } }, { setWeight: 100 }];
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
/** The stack's control-plane processes, to tell whether they or the controller are the limit. */
const STACK_PIDS: Record<string, number> = (() => {
  const state = JSON.parse(readFileSync(join(repoRoot, '.stack', 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  return Object.fromEntries(state.processes.filter((p) => ['etcd', 'kube-apiserver', 'kube-controller-manager'].includes(p.name)).map((p) => [p.name, p.pid]));
})();

/** CPU seconds used since `start` by the controller and each control-plane process. */
function cpuSince(start: Record<string, number>, controllerPid: number): Record<string, number> {
  const now = cpuSnapshot(controllerPid);
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (start[k] ?? 0)]));
}
function cpuSnapshot(controllerPid: number): Record<string, number> {
  return { controller: cpuSeconds(controllerPid), ...Object.fromEntries(Object.entries(STACK_PIDS).map(([k, pid]) => [k, cpuSeconds(pid)])) };
}

/** Percentile from a Prometheus histogram's cumulative buckets (summed over all series matching), interpolated inside the bucket. */
function histogramQuantile(text: string, name: string, q: number, fragment = ''): number {
  const byLe = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`) || !line.includes(fragment)) continue;
    const m = /le="([^"]+)"/.exec(line);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    byLe.set(le, (byLe.get(le) ?? 0) + Number(line.split(' ').at(-1)));
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
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

interface Controller {
  name: 'clairvoyance' | 'argo';
  pid: number;
  metrics(): Promise<string>;
  /** API writes (create, update, patch, delete; Events left out) counted by the controller itself. */
  writes(text: string): number;
  reconcileP99Ms(text: string): number;
  stop(): Promise<void>;
}

interface Kind extends RolloutKind {
  body(name: string): Record<string, unknown>;
}

const KINDS: Record<Controller['name'], Kind> = {
  clairvoyance: {
    group: GROUP,
    version: VERSION,
    plural: 'rollouts',
    body: (name) => ({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Rollout',
      metadata: { name },
      spec: { replicas: 1, workloadRef: { kind: 'Deployment', name }, strategy: { canary: { steps: STEPS } }, rollback: { scaleDownDelaySeconds: 0 } },
    }),
    state: (s) => [String(s?.phase ?? 'None'), String(s?.stableRevision ?? '')],
  },
  argo: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'rollouts',
    body: (name) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        strategy: { canary: { steps: STEPS } },
      },
    }),
    state: (s) => [String(s?.phase ?? 'None'), String(s?.stableRS ?? '')],
  },
};

async function startClairvoyance(ns: string): Promise<Controller> {
  if (HEAP) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}`.trim();
  const c = startController(ns, ['--no-leader-elect', '--workers', String(WORKERS), '--log-level', 'warn']);
  await c.ready;
  return {
    name: 'clairvoyance',
    pid: c.proc.pid!,
    metrics: () => c.metrics(),
    writes: (text) => metricSum(text, 'clairvoyance_api_writes_total'),
    reconcileP99Ms: (text) => histogramQuantile(text, 'clairvoyance_reconcile_duration_seconds', 0.99, 'outcome="success"') * 1000,
    stop: async () => void (await c.kill('SIGTERM')),
  };
}

let argoCrdsApplied = false;

/**
 * Argo's CRDs go when the run ends: their Rollout kind would otherwise take kubectl's
 * `rollouts` from ours for anyone using the stack after the bench.
 */
async function removeArgoCrds(): Promise<void> {
  if (!argoCrdsApplied) return;
  const dir = join(peerModuleDir('argo-rollouts'), 'manifests', 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('-crd.yaml'))) {
    const r = await kubectl(['delete', '--ignore-not-found', '-f', join(dir, file)]);
    if (r.code !== 0) log(`removing Argo CRD ${file} failed: ${r.stderr.trim()}`);
  }
  argoCrdsApplied = false;
}

async function startArgo(ns: string): Promise<Controller> {
  const binary = await resolveArgoRollouts();
  if (!argoCrdsApplied) {
    const dir = join(peerModuleDir('argo-rollouts'), 'manifests', 'crds');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('-crd.yaml'))) {
      const r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(dir, file)]);
      if (r.code !== 0) throw new Error(`applying Argo CRD ${file} failed: ${r.stderr}`);
    }
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/rollouts.argoproj.io']);
    argoCrdsApplied = true;
  }
  const [metricsPort, healthzPort] = [await freePort(), await freePort()];
  const args = [
    `--kubeconfig=${kubeconfigPath()}`,
    '--namespaced',
    `--namespace=${ns}`,
    '--leader-elect=false',
    `--metricsPort=${metricsPort}`,
    `--healthzPort=${healthzPort}`,
    `--rollout-threads=${WORKERS}`,
    '--loglevel=warn',
    ...(process.env.ARGO_QPS ? [`--qps=${process.env.ARGO_QPS}`] : []),
    ...(process.env.ARGO_BURST ? [`--burst=${process.env.ARGO_BURST}`] : []),
  ];
  const proc: ChildProcess = spawn(binary, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  proc.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-64 * 1024)));
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`Argo Rollouts exited (${proc.exitCode}):\n${output.slice(-3000)}`);
    const ok = await metrics().then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 120) throw new Error(`Argo Rollouts not serving metrics after 60 s:\n${output.slice(-3000)}`);
    await sleep(500);
  }
  return {
    name: 'argo',
    pid: proc.pid!,
    metrics,
    writes: (text) =>
      ['create', 'update', 'patch', 'delete'].reduce((s, verb) => s + metricSumCaseless(text, 'controller_clientset_k8s_request_total', `verb="${verb}"`), 0),
    reconcileP99Ms: (text) => histogramQuantile(text, 'rollout_reconcile', 0.99) * 1000,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(15_000).then(() => proc.kill('SIGKILL'))]);
      }
    },
  };
}

function metricSumCaseless(text: string, name: string, fragment: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    // Events are not counted on either side (Clairvoyance's counter has none).
    if (line.startsWith(name) && line.toLowerCase().includes(fragment) && !line.includes('kind="events"')) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

interface Result {
  controller: Controller['name'];
  n: number;
  adoptS: number;
  steadyMiB: number;
  /** Private resident memory: the steady RSS without the pages of the executable and its libraries. */
  steadyAnonMiB: number;
  peakMiB: number;
  canaryS: number;
  writesPerStep: number;
  reconcileP99Ms: number;
  load: string;
  heap?: HeapSummary;
  /** CPU seconds per process during adoption and during the canary wave. */
  cpu: { adopt: Record<string, number>; canary: Record<string, number> };
}

async function scenario(name: Controller['name'], n: number): Promise<Result> {
  const ns = `scale-${name}-${randomBytes(3).toString('hex')}`;
  const kind = KINDS[name];
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const controller = name === 'clairvoyance' ? await startClairvoyance(ns) : await startArgo(ns);
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(loadavg()[0]!), 5_000);
  try {
    const names = Array.from({ length: n }, (_, i) => `app-${i}`);
    log(`${name}: creating ${n} Deployments and Rollouts in ${ns}`);
    const created = Date.now();
    const cpu0 = cpuSnapshot(controller.pid);
    await pool(names, async (app) => {
      await createIdleDeployment(ns, app, podTemplate(app, 1));
      await custom.createNamespacedCustomObject({ group: kind.group, version: kind.version, namespace: ns, plural: kind.plural, body: kind.body(app) });
    });
    log(`${name}: created in ${((Date.now() - created) / 1000).toFixed(1)} s; waiting for adoption`);
    await waitAll(`${name} adoption`, kind, ns, (_, [phase, stable]) => phase === 'Healthy' && stable !== '', ADOPT_TIMEOUT_MS(n));
    const adoptMs = Date.now() - created;
    const adoptCpu = cpuSince(cpu0, controller.pid);
    await sleep(10_000);
    const steady = statusKiB(controller.pid, 'VmRSS');
    const steadyAnon = statusKiB(controller.pid, 'RssAnon');
    const heap = HEAP && name === 'clairvoyance' ? await takeSnapshot(controller.pid, heapDir) : undefined;
    const base = {
      controller: name,
      n,
      adoptS: adoptMs / 1000,
      steadyMiB: mib(steady),
      steadyAnonMiB: mib(steadyAnon),
      load: '',
      ...(heap ? { heap } : {}),
    };
    const loadRange = (): string => (loads.length ? `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}` : loadavg()[0]!.toFixed(1));
    if (!canaryAt(n)) {
      return {
        ...base,
        peakMiB: mib(statusKiB(controller.pid, 'VmHWM')),
        canaryS: NaN,
        writesPerStep: NaN,
        // Adoption's reconciles only.
        reconcileP99Ms: controller.reconcileP99Ms(await controller.metrics()),
        load: loadRange(),
        cpu: { adopt: adoptCpu, canary: {} },
      };
    }
    const initial = await rolloutStates(kind, ns);
    const writesBefore = controller.writes(await controller.metrics());

    log(`${name}: changing every pod template (new revision)`);
    const changed = Date.now();
    const cpu1 = cpuSnapshot(controller.pid);
    await pool(names, (app) => setAppImage(ns, app, 'registry.example/app:2'));
    await waitAll(`${name} canary`, kind, ns, (app, [phase, stable]) => phase === 'Healthy' && stable !== '' && stable !== initial.get(app)?.[1], 60 * 60_000);
    const canaryMs = Date.now() - changed;
    const canaryCpu = cpuSince(cpu1, controller.pid);
    const after = await controller.metrics();
    const writes = controller.writes(after) - writesBefore;
    return {
      ...base,
      peakMiB: mib(statusKiB(controller.pid, 'VmHWM')),
      canaryS: canaryMs / 1000,
      writesPerStep: writes / (n * STEPS.length),
      reconcileP99Ms: controller.reconcileP99Ms(after),
      load: loadRange(),
      cpu: { adopt: adoptCpu, canary: canaryCpu },
    };
  } finally {
    clearInterval(sampler);
    await controller.stop();
    log(`${name}: deleting ${ns}`);
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    // The next scenario starts once the API server and the garbage collector are done with this one.
    for (let i = 0; i < 300; i++) {
      const gone = await core.readNamespace({ name: ns }).then(
        () => false,
        () => true,
      );
      if (gone) break;
      await sleep(2000);
    }
  }
}

/** What each N ran: the canary wave up to CANARY_MAX, adoption alone above it. */
function phasesLabel(): string {
  const wave = NS_SIZES.filter(canaryAt);
  const adoptionOnly = NS_SIZES.filter((n) => !canaryAt(n));
  const parts = [
    ...(wave.length ? [`N=${wave.join(',')}: 3 steps, setWeight 50, pause 1s, setWeight 100`] : []),
    ...(adoptionOnly.length ? [`N=${adoptionOnly.join(',')}: adoption only, reconcile p99 over adoption`] : []),
  ];
  return parts.join('; ');
}

function slope(rows: Result[]): string {
  if (rows.length < 2) return '-';
  const [a, b] = [rows[0]!, rows.at(-1)!];
  return `${(((b.steadyMiB - a.steadyMiB) * 1024) / (b.n - a.n)).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', resolve(repoRoot, 'manifests/crds/')]);
  if (crds.code !== 0) throw new Error(`applying CRDs failed: ${crds.stderr}`);
  if (CONTROLLERS.includes('argo')) await resolveArgoRollouts();
  const results: Result[] = [];
  try {
    for (const n of NS_SIZES) {
      for (const name of CONTROLLERS as Controller['name'][]) {
        const r = await scenario(name, n);
        results.push(r);
        log(`${name} N=${n}: ${JSON.stringify(r)}`);
      }
    }
  } finally {
    await removeArgoCrds();
  }
  const fmt = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
  console.log(
    `\ncontroller scale (kwok, ${WORKERS} workers each, ${phasesLabel()}, ${REALISTIC ? 'realistic ~3 KB' : 'one-container'} pod templates${process.env.CLAIRVOYANCE_KEEP_RS_TEMPLATES === '1' ? ', ReplicaSet templates kept in cache' : ''})`,
  );
  console.log('controller     N       adopt s  steady MiB  private MiB  peak MiB  canary s  writes/step  reconcile p99 ms  load');
  for (const r of results) {
    console.log(
      `${r.controller.padEnd(12)} ${String(r.n).padStart(6)} ${fmt(r.adoptS).padStart(9)} ${String(r.steadyMiB).padStart(11)} ${String(r.steadyAnonMiB).padStart(12)} ${String(r.peakMiB).padStart(9)} ${fmt(r.canaryS).padStart(9)} ${fmt(r.writesPerStep, 2).padStart(12)} ${fmt(r.reconcileP99Ms).padStart(17)}  ${r.load}`,
    );
  }
  console.log('\nCPU seconds used (2 cores: 2 s of CPU per second of wall time at most), adoption | canary wave');
  console.log('controller     N       controller      kube-apiserver  etcd            controller-manager');
  for (const r of results) {
    const cell = (k: string): string => `${fmt(r.cpu.adopt[k] ?? NaN)} | ${fmt(r.cpu.canary[k] ?? NaN)}`.padEnd(16);
    console.log(
      `${r.controller.padEnd(12)} ${String(r.n).padStart(6)}  ${cell('controller')}${cell('kube-apiserver')}${cell('etcd')}${cell('kube-controller-manager')}`,
    );
  }
  for (const r of results.filter((x) => x.heap)) {
    console.log(`\nheap snapshot, ${r.controller} N=${r.n} at steady state: ${r.heap!.totalMiB.toFixed(1)} MiB live`);
    for (const t of r.heap!.top) console.log(`  ${t.name.slice(0, 40).padEnd(40)} ${t.MiB.toFixed(1).padStart(7)} MiB  ${t.count} objects`);
  }
  console.log('\nRSS per Rollout (steady, slope over N)');
  for (const name of CONTROLLERS) console.log(`  ${name.padEnd(12)} ${slope(results.filter((r) => r.controller === name))}`);
  if (CONTROLLERS.includes('clairvoyance') && CONTROLLERS.includes('argo')) {
    console.log('\nratio Clairvoyance / Argo (below 1: Clairvoyance uses less or is faster)');
    console.log('N       adopt  steady RSS  private RSS  peak RSS  canary  writes/step  reconcile p99');
    for (const n of NS_SIZES) {
      const c = results.find((r) => r.controller === 'clairvoyance' && r.n === n)!;
      const a = results.find((r) => r.controller === 'argo' && r.n === n)!;
      const q = (x: number, y: number): string => fmt(x / y, 2);
      console.log(
        `${String(n).padEnd(7)} ${q(c.adoptS, a.adoptS).padStart(5)} ${q(c.steadyMiB, a.steadyMiB).padStart(11)} ${q(c.steadyAnonMiB, a.steadyAnonMiB).padStart(12)} ${q(c.peakMiB, a.peakMiB).padStart(9)} ${q(c.canaryS, a.canaryS).padStart(7)} ${q(c.writesPerStep, a.writesPerStep).padStart(12)} ${q(c.reconcileP99Ms, a.reconcileP99Ms).padStart(14)}`,
      );
    }
    console.log("  (Argo's reconcile histogram has buckets 10, 150, 250, 500, 1000 ms: its p99 is interpolated inside a coarse bucket)");
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
