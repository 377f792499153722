// The stack's real node: containerd + runc, a CNI bridge, kubelet and kube-proxy, so
// pods run code, take time to become Ready and serve traffic through Services. Started
// after the control plane; torn down before it, leaving no process, container, mount,
// netns, bridge or rule behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import { demoAppImage, pauseImage } from '../images/build.js';
import type { WrittenImage } from '../images/oci.js';
import { SERVICE_CIDR } from './components.js';
import { isHealthy, waitUntil } from './health.js';
import {
  BRIDGE,
  BRIDGE_IP,
  cniConfig,
  containerdConfig,
  kubeletArgs,
  kubeletConfig,
  kubeProxyArgs,
  kubeProxyConfig,
  nodePaths,
  POD_CIDR,
  REAL_NODE_NAME,
  realNodeWanted,
  type NodePorts,
} from './node-config.js';
import { repoRoot, stackDir } from './paths.js';
import { must, run } from './host.js';
import { claimNode, OWNER_FILE, ownerOfNode } from './node-claim.js';
import {
  bridgeExists,
  containerIds,
  killContainerProcesses,
  mountsUnder,
  nodeProcesses,
  podNetns,
  removeContainerCgroups,
  removeKubeChains,
  runcRoot,
  runcRoots,
} from './node-cleanup.js';
import { freePort, isRunning, stopProcess, type StartedProcess } from './processes.js';
import { StackError, step } from './progress.js';

export { realNodeWanted };

export interface RealNodeState {
  ports: NodePorts;
  images: WrittenImage[];
  /** pids of kubelet, kube-proxy and containerd; also listed in the stack's processes. */
  processes: StartedProcess[];
}

export interface RealNodeBinaries {
  kubelet: string;
  'kube-proxy': string;
  pause: string;
}

const CNI_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];
const INSTALL_HINT = 'run `bash dev/install-node-runtime.sh` (as root), or start the stack with STACK_NODES=kwok to run without a real node';

function cniBinDir(): string {
  const dir = cniBinDirOrUndefined();
  if (!dir) throw new StackError('cni', `ls ${CNI_BIN_DIRS.join(' ')}`, `no bridge, host-local and portmap plugins found; ${INSTALL_HINT}`, '');
  return dir;
}

/** Names the missing tool and the fix before anything is started. */
export function preflight(): string {
  if (process.getuid?.() !== 0) throw new StackError('real node', 'id -u', `must run as root (network namespaces, mounts, iptables); ${INSTALL_HINT}`, '');
  if (missingTools().length > 0 || !cniBinDirOrUndefined()) installRuntime();
  const missing = missingTools();
  if (missing.length > 0) throw new StackError('real node', `command -v ${missing[0]}`, `${missing.join(', ')} not installed; ${INSTALL_HINT}`, '');
  return cniBinDir();
}

const TOOLS = ['containerd', 'ctr', 'runc', 'iptables', 'ip'];

function missingTools(): string[] {
  return TOOLS.filter((tool) => run('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

function cniBinDirOrUndefined(): string | undefined {
  return CNI_BIN_DIRS.find((d) => existsSync(join(d, 'bridge')) && existsSync(join(d, 'host-local')) && existsSync(join(d, 'portmap')));
}

/** On a fresh machine the first `stack:up` installs the runtime itself, as `.ci/run` does. */
function installRuntime(): void {
  const script = join(repoRoot, 'dev', 'install-node-runtime.sh');
  step('real node', `installing the container runtime and CNI plugins (${script})`);
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0)
    throw new StackError('real node', `bash ${script}`, `exited with ${result.status ?? result.error?.message ?? '?'}; ${INSTALL_HINT}`, '');
}

function ensureBridge(): void {
  if (run('ip', ['link', 'show', BRIDGE]).status !== 0) must('cni', 'ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  const addresses = run('ip', ['-4', '-br', 'addr', 'show', BRIDGE]).stdout;
  if (!addresses.includes(`${BRIDGE_IP}/`)) must('cni', 'ip', ['addr', 'add', `${BRIDGE_IP}/24`, 'dev', BRIDGE]);
  must('cni', 'ip', ['link', 'set', BRIDGE, 'up']);
}

function ctr(...args: string[]): string[] {
  return ['--address', nodePaths.containerdSocket, '--namespace', 'k8s.io', ...args];
}

export interface RealNodeContext {
  binaries: RealNodeBinaries;
  caFile: string;
  /** Kubeconfig contents with the kubelet's and kube-proxy's own client certificates. */
  kubeletKubeconfig: string;
  kubeProxyKubeconfig: string;
  adminKubeconfig: string;
  /** The API server's loopback port: pods reach it through a relay on the bridge. */
  apiserverPort: number;
  start: (name: string, binary: string, args: string[]) => StartedProcess;
}

/** Where pods reach the API server: the `kubernetes` Service's endpoint. */
export const APISERVER_RELAY_PORT = 6443;

export async function startRealNode(ctx: RealNodeContext): Promise<RealNodeState> {
  const cniBin = preflight();
  claimNode();
  for (const dir of [nodePaths.containerdRoot, nodePaths.containerdState, nodePaths.cniConfDir, nodePaths.cniIpamDir, nodePaths.kubeletRoot])
    mkdirSync(dir, { recursive: true });
  const ports: NodePorts = {
    kubelet: await freePort(),
    kubeletHealthz: await freePort(),
    kubeProxyHealthz: await freePort(),
    kubeProxyMetrics: await freePort(),
  };
  step('cni', `bridge ${BRIDGE} ${BRIDGE_IP}/24 for pods in ${POD_CIDR}`);
  ensureBridge();
  writeFileSync(join(nodePaths.cniConfDir, '10-clairvoyance.conflist'), cniConfig());
  writeFileSync(nodePaths.containerdConfig, containerdConfig(cniBin, runcRoot()));
  writeFileSync(nodePaths.kubeletConfig, kubeletConfig(ports, ctx.caFile));
  writeFileSync(nodePaths.kubeProxyConfig, kubeProxyConfig(ports, POD_CIDR));
  writeFileSync(nodePaths.kubeletKubeconfig, ctx.kubeletKubeconfig, { mode: 0o600 });
  writeFileSync(nodePaths.kubeProxyKubeconfig, ctx.kubeProxyKubeconfig, { mode: 0o600 });

  const processes: StartedProcess[] = [];
  const containerd = ctx.start('containerd', 'containerd', ['--config', nodePaths.containerdConfig, '--log-level', 'warn']);
  processes.push(containerd);
  await waitUntil(containerd, 'containerd', 'serving', async () => existsSync(nodePaths.containerdSocket) && run('ctr', ctr('version')).status === 0, 30_000);
  step('containerd', `serving on ${nodePaths.containerdSocket}`);

  const images = await ensureImages(ctx.binaries.pause);

  const kubelet = ctx.start('kubelet', ctx.binaries.kubelet, kubeletArgs());
  processes.push(kubelet);
  await waitUntil(kubelet, 'kubelet', `registering ${REAL_NODE_NAME} Ready`, () => nodeReady(ctx.adminKubeconfig), 120_000);
  step('kubelet', `${REAL_NODE_NAME} Ready at ${BRIDGE_IP}`);

  const relay = ctx.start('apiserver-relay', process.execPath, [
    '--import',
    'tsx',
    join(repoRoot, 'dev', 'stack', 'relay.ts'),
    `${BRIDGE_IP}:${APISERVER_RELAY_PORT}`,
    `127.0.0.1:${ctx.apiserverPort}`,
  ]);
  processes.push(relay);
  await waitUntil(
    relay,
    'apiserver-relay',
    'listening',
    () => isHealthy(`https://${BRIDGE_IP}:${APISERVER_RELAY_PORT}/livez`, { ca: readFileSync(ctx.caFile, 'utf8') }),
    30_000,
  );
  await publishApiserverEndpoint(ctx.adminKubeconfig);
  step('apiserver-relay', `pods reach the API server at kubernetes.default (${BRIDGE_IP}:${APISERVER_RELAY_PORT})`);

  const proxy = ctx.start('kube-proxy', ctx.binaries['kube-proxy'], kubeProxyArgs());
  processes.push(proxy);
  await waitUntil(proxy, 'kube-proxy', 'healthy', () => isHealthy(`http://127.0.0.1:${ports.kubeProxyHealthz}/healthz`), 60_000);
  step('kube-proxy', `programming Services (${SERVICE_CIDR}) in iptables`);
  return { ports, images, processes };
}

/**
 * Builds the node's images (cached by their inputs) and imports any that containerd does
 * not hold at that digest, so a reused stack runs the current demo application too.
 */
export async function ensureImages(pauseBinary: string): Promise<WrittenImage[]> {
  const images = [pauseImage(pauseBinary), await demoAppImage()];
  for (const image of images) importImage(image);
  return images;
}

/** Imports an image archive into the node's containerd unless it holds that digest already. */
export function importImage(image: WrittenImage): void {
  const held = run('ctr', ctr('images', 'ls')).stdout;
  if (held.split('\n').some((line) => line.startsWith(`${image.name} `) && line.includes(image.digest))) return;
  must('containerd', 'ctr', ctr('images', 'import', image.archive));
  step('containerd', `imported ${image.name} (${image.digest.slice(0, 19)})`);
}

async function nodeReady(kubeconfig: string): Promise<boolean> {
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: REAL_NODE_NAME });
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  } catch {
    return false;
  }
}

/**
 * The API server runs with no endpoint reconciler (its address is loopback), so the
 * `kubernetes` Service gets its endpoint here: the relay on the bridge.
 */
async function publishApiserverEndpoint(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(DiscoveryV1Api);
  const body: V1EndpointSlice = {
    metadata: {
      name: 'kubernetes-stack',
      labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'stack.clairvoyance.dev' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [BRIDGE_IP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: APISERVER_RELAY_PORT, protocol: 'TCP' }],
  };
  await api.deleteNamespacedEndpointSlice({ name: 'kubernetes-stack', namespace: 'default' }).catch(() => undefined);
  await api.createNamespacedEndpointSlice({ namespace: 'default', body });
}

/** Deletes the Node object while the API server still runs, so the next `up` starts clean. */
async function deleteNodeObject(kubeconfig: string): Promise<void> {
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    await kc.makeApiClient(CoreV1Api).deleteNode({ name: REAL_NODE_NAME });
  } catch {
    /* already gone, or the API server is down: the data dir goes anyway */
  }
}

/** Stops the node and removes what it made. Safe to call on a partial start. */
export async function stopRealNode(node: RealNodeState | undefined, kubeProxyBinary: string | undefined, adminKubeconfig: string): Promise<void> {
  const owner = ownerOfNode();
  if (owner && owner !== stackDir) {
    // Another stack's node: leave the machine-wide pieces alone, drop only our own files.
    step('real node', `not ours: the stack in ${owner} runs it; removing only ${nodePaths.dir}`);
    rmSync(nodePaths.dir, { recursive: true, force: true });
    return;
  }
  const procs = node?.processes ?? [];
  const byName = (n: string): StartedProcess | undefined => procs.find((p) => p.name === n);
  for (const name of ['kube-proxy', 'apiserver-relay', 'kubelet']) {
    const proc = byName(name);
    if (proc && isRunning(proc)) {
      step(name, 'stopping');
      await stopProcess(proc);
    }
  }
  // Containers first, through runc directly: it works whether or not containerd answers.
  // (A stopped kubelet leaves its pods running, and so does a stopped containerd.)
  const ids = containerIds();
  for (const root of runcRoots()) {
    for (const id of run('runc', ['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) {
      run('runc', ['--root', root, 'delete', '--force', id]);
    }
  }
  killContainerProcesses(ids);
  const containerd = byName('containerd');
  if (containerd && isRunning(containerd)) {
    step('containerd', 'stopping');
    await stopProcess(containerd);
  }
  for (const pid of nodeProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (kubeProxyBinary) run(kubeProxyBinary, ['--cleanup']);
  removeKubeChains();
  for (const ns of podNetns()) run('ip', ['netns', 'delete', ns]);
  for (const mount of mountsUnder(nodePaths.dir)) run('umount', ['-l', mount]);
  if (bridgeExists()) run('ip', ['link', 'delete', BRIDGE]);
  removeContainerCgroups();
  await deleteNodeObject(adminKubeconfig);
  rmSync(nodePaths.dir, { recursive: true, force: true });
  rmSync(OWNER_FILE, { force: true });
}
