// Orchestrates the local stack: up (idempotent), down (leaves nothing running), status.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBinaries, type Binaries } from './binaries.js';
import { auditArgs } from './audit-policy.js';
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  kwokConfig,
  prometheusArgs,
  prometheusConfig,
  schedulerArgs,
  type Ports,
} from './components.js';
import { isHealthy, waitUntil, type TlsClient } from './health.js';
import { createFakeNodes, defaultServiceAccountExists, readyNodeCount } from './nodes.js';
import { paths, stackDir } from './paths.js';
import { REAL_NODE_NAME } from './node-config.js';
import { ensureImages, realNodeWanted, startRealNode, stopRealNode, type RealNodeState } from './real-node.js';
import { createPki, kubeconfigYaml } from './pki.js';
import { stopGateways } from './gateway-processes.js';
import { freePort, isPortOpen, isRunning, startDetached, stopProcess, type StartedProcess } from './processes.js';
import { step } from './progress.js';

export const FAKE_NODES = 3;

export interface StackState {
  startedAt: string;
  binaries: Binaries;
  ports: Ports;
  processes: StartedProcess[];
  kubeconfig: string;
  prometheusUrl: string;
  apiserverUrl: string;
  adminTls: TlsClient;
  /** Present when the stack runs a real node (kubelet, containerd) beside the kwok ones. */
  realNode?: RealNodeState;
  /** True while the real node is being started: `down` then cleans up after a partial start. */
  realNodeWanted?: boolean;
}

export interface UpResult {
  state: StackState;
  reused: boolean;
}

export function readState(): StackState | undefined {
  if (!existsSync(paths.state)) return undefined;
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

function writeState(state: StackState): void {
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
}

export function envLines(state: Pick<StackState, 'kubeconfig' | 'prometheusUrl'>): string {
  return `KUBECONFIG=${state.kubeconfig}\nPROMETHEUS_URL=${state.prometheusUrl}\n`;
}

export async function isStackHealthy(state: StackState): Promise<boolean> {
  if (!state.processes.every(isRunning)) return false;
  if (!(await isHealthy(`${state.apiserverUrl}/readyz`, state.adminTls))) return false;
  if (!(await isHealthy(`${state.prometheusUrl}/-/ready`))) return false;
  return (await readyNodeCount(state.kubeconfig)) >= FAKE_NODES + (state.realNodeWanted ? 1 : 0);
}

export async function up(): Promise<UpResult> {
  const existing = readState();
  if (existing) {
    if (await isStackHealthy(existing)) {
      step('stack', 'already running and healthy: reusing it');
      if (existing.realNodeWanted) await ensureImages(existing.binaries.pause);
      return { state: existing, reused: true };
    }
    step('stack', 'found a stale or partial stack: stopping it and starting fresh');
    await down({ quiet: true });
  }
  const binaries = await resolveBinaries();
  for (const dir of [stackDir, paths.logs, paths.data, paths.bin, paths.prometheusTargets]) mkdirSync(dir, { recursive: true });
  linkKubectl(binaries.kubectl);

  const ports: Ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kwok: await freePort(),
    prometheus: await freePort(),
  };
  step('pki', 'generating CA, serving and client certificates, service-account keys');
  const pki = await createPki();
  const apiserverUrl = `https://127.0.0.1:${ports.apiserver}`;
  const adminTls: TlsClient = { ca: pki.caPem, cert: pki.clients.admin.certPem, key: pki.clients.admin.keyPem };
  const state: StackState = {
    startedAt: new Date().toISOString(),
    binaries,
    ports,
    processes: [],
    kubeconfig: paths.kubeconfig,
    prometheusUrl: `http://127.0.0.1:${ports.prometheus}`,
    apiserverUrl,
    adminTls,
  };
  // State is saved after every start, so a failed `up` can still be cleaned by `down`.
  const start = (name: string, binary: string, args: string[]): StartedProcess => {
    step(name, 'starting');
    const proc = startDetached(name, binary, args);
    state.processes.push(proc);
    writeState(state);
    return proc;
  };

  try {
    const etcd = start('etcd', binaries.etcd, etcdArgs(ports));
    await waitUntil(etcd, 'etcd', 'healthy', () => isHealthy(`http://127.0.0.1:${ports.etcdClient}/health`), 60_000);
    step('etcd', `healthy on 127.0.0.1:${ports.etcdClient}`);

    const apiserver = start('kube-apiserver', binaries['kube-apiserver'], [...apiserverArgs(ports, pki), ...auditArgs()]);
    await waitUntil(apiserver, 'kube-apiserver', 'ready', () => isHealthy(`${apiserverUrl}/readyz`, adminTls), 120_000);
    step('kube-apiserver', `ready on ${apiserverUrl}`);

    writeFileSync(paths.kubeconfig, kubeconfigYaml(apiserverUrl, pki.caPem, pki.clients.admin, 'clairvoyance-admin'), { mode: 0o600 });
    const kcmConfig = join(paths.pki, 'controller-manager.kubeconfig');
    writeFileSync(kcmConfig, kubeconfigYaml(apiserverUrl, pki.caPem, pki.clients['controller-manager'], 'system:kube-controller-manager'), { mode: 0o600 });
    const schedulerConfig = join(paths.pki, 'scheduler.kubeconfig');
    writeFileSync(schedulerConfig, kubeconfigYaml(apiserverUrl, pki.caPem, pki.clients.scheduler, 'system:kube-scheduler'), { mode: 0o600 });

    const kcm = start('kube-controller-manager', binaries['kube-controller-manager'], controllerManagerArgs(ports, pki, kcmConfig));
    const scheduler = start('kube-scheduler', binaries['kube-scheduler'], schedulerArgs(ports, schedulerConfig));
    const insecure: TlsClient = { ca: pki.caPem, insecure: true };
    await Promise.all([
      waitUntil(kcm, 'kube-controller-manager', 'healthy', () => isHealthy(`https://127.0.0.1:${ports.controllerManager}/healthz`, insecure), 90_000),
      waitUntil(scheduler, 'kube-scheduler', 'healthy', () => isHealthy(`https://127.0.0.1:${ports.scheduler}/healthz`, insecure), 90_000),
    ]);
    step('kube-controller-manager', 'healthy');
    step('kube-scheduler', 'healthy');

    const kwokConfigFile = join(stackDir, 'kwok.yaml');
    writeFileSync(kwokConfigFile, kwokConfig());
    const kwok = start('kwok', binaries.kwok, kwokArgs(ports, paths.kubeconfig, kwokConfigFile));
    await waitUntil(kwok, 'kwok', 'healthy', () => isHealthy(`http://127.0.0.1:${ports.kwok}/healthz`), 60_000);
    await createFakeNodes(paths.kubeconfig, FAKE_NODES);
    await waitUntil(kwok, 'kwok', `managing ${FAKE_NODES} Ready nodes`, async () => (await readyNodeCount(paths.kubeconfig)) >= FAKE_NODES, 60_000);
    step('kwok', `${FAKE_NODES} fake nodes Ready`);

    const promConfig = join(paths.prometheusDir, 'prometheus.yml');
    // Pod discovery only where pods run code; Debian's Prometheus (kwok-only stacks) lacks it.
    writeFileSync(promConfig, prometheusConfig(paths.prometheusTargets, realNodeWanted() ? paths.kubeconfig : undefined));
    const prometheus = start('prometheus', binaries.prometheus, prometheusArgs(ports, promConfig));
    await waitUntil(prometheus, 'prometheus', 'ready', () => isHealthy(`${state.prometheusUrl}/-/ready`), 60_000);
    step('prometheus', `ready on ${state.prometheusUrl} (scrape 1s, targets: ${paths.prometheusTargets}/*.json)`);

    await waitUntil(kcm, 'kube-controller-manager', 'creating the default ServiceAccount', () => defaultServiceAccountExists(paths.kubeconfig), 60_000);

    if (realNodeWanted()) {
      state.realNodeWanted = true;
      writeState(state);
      const nodeKubeconfig = (client: 'kubelet' | 'kube-proxy', user: string): string => kubeconfigYaml(apiserverUrl, pki.caPem, pki.clients[client], user);
      state.realNode = await startRealNode({
        binaries,
        caFile: pki.caCert,
        kubeletKubeconfig: nodeKubeconfig('kubelet', `system:node:${REAL_NODE_NAME}`),
        kubeProxyKubeconfig: nodeKubeconfig('kube-proxy', 'system:kube-proxy'),
        adminKubeconfig: paths.kubeconfig,
        apiserverPort: ports.apiserver,
        start,
      });
      writeState(state);
    } else {
      step('real node', 'skipped (STACK_NODES has no "real"): pods run on kwok only');
    }
  } catch (err) {
    step('stack', 'start failed: stopping what was started');
    await down({ quiet: true });
    throw err;
  }
  writeFileSync(paths.env, envLines(state));
  return { state, reused: false };
}

/** `.stack/bin/kubectl` is the version-matched client, for users and tests alike. */
function linkKubectl(kubectl: string): void {
  const link = join(paths.bin, 'kubectl');
  rmSync(link, { force: true });
  symlinkSync(kubectl, link);
}

export async function down(opts: { quiet?: boolean } = {}): Promise<void> {
  // Gateways first: tests start them, and one whose test died must not outlive the stack.
  for (const id of await stopGateways()) if (!opts.quiet) step(`gateway ${id}`, 'stopped');
  const state = readState();
  if (!state) {
    if (!opts.quiet) step('stack', 'nothing to stop');
    return;
  }
  // The node next, while the API server can still delete its Node object.
  if (state.realNodeWanted) {
    const nodeProcs = state.processes.filter((p) => ['containerd', 'kubelet', 'apiserver-relay', 'kube-proxy'].includes(p.name));
    await stopRealNode(
      { ports: state.realNode?.ports ?? { kubelet: 0, kubeletHealthz: 0, kubeProxyHealthz: 0, kubeProxyMetrics: 0 }, images: [], processes: nodeProcs },
      state.binaries['kube-proxy'],
      state.kubeconfig,
    );
  }
  // Reverse start order: clients before the API server, the API server before etcd.
  for (const proc of [...state.processes].reverse()) {
    if (isRunning(proc)) {
      if (!opts.quiet) step(proc.name, 'stopping');
      await stopProcess(proc);
    }
  }
  const stillOpen: string[] = [];
  for (const [name, port] of Object.entries(state.ports)) if (await isPortOpen(port)) stillOpen.push(`${name}:${port}`);
  if (stillOpen.length > 0) throw new Error(`ports still listening after stop: ${stillOpen.join(', ')}`);
  rmSync(paths.state, { force: true });
  rmSync(paths.env, { force: true });
  rmSync(paths.data, { recursive: true, force: true });
  rmSync(paths.pki, { recursive: true, force: true });
  if (!opts.quiet) step('stack', 'stopped; no listener left');
}

export interface ComponentStatus {
  name: string;
  pid: number;
  running: boolean;
  rssMiB?: number;
}

export async function status(): Promise<{ state?: StackState; components: ComponentStatus[]; healthy: boolean }> {
  const state = readState();
  if (!state) return { components: [], healthy: false };
  const components = state.processes.map((p) => ({ name: p.name, pid: p.pid, running: isRunning(p), rssMiB: rssMiB(p.pid) }));
  return { state, components, healthy: await isStackHealthy(state) };
}

function rssMiB(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.replace(/\D+/g, '')) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
