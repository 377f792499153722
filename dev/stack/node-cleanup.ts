// Finding and removing what the real node made on this machine: containers (through
// runc and their cgroups), mounts, the pods' network namespaces, KUBE-* iptables chains
// and the bridge. `leftovers()` is what `stack:down` is checked against.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './host.js';
import { OWNER_FILE } from './node-claim.js';
import { BRIDGE, CNI_NETNS_PREFIX, nodePaths, POD_CIDR } from './node-config.js';
import { stackDir } from './paths.js';

export function runcRoot(): string {
  return join(nodePaths.containerdState, 'runc');
}

/** The shim keeps one runc root per containerd namespace under the configured root. */
export function runcRoots(): string[] {
  const root = runcRoot();
  return existsSync(root) ? readdirSync(root).map((ns) => join(root, ns)) : [];
}

/** Ids of every container and sandbox containerd created, from its task state. */
export function containerIds(): string[] {
  const tasks = join(nodePaths.containerdState, 'io.containerd.runtime.v2.task', 'k8s.io');
  const fromState = existsSync(tasks) ? readdirSync(tasks) : [];
  const fromRunc = runcRoots().flatMap((root) => (existsSync(root) ? readdirSync(root) : []));
  return [...new Set([...fromState, ...fromRunc])];
}

/** With cgroupsPerQOS off, containerd puts each container in the cgroup /k8s.io/<id>. */
const CONTAINER_CGROUP = '/k8s.io/';
const CGROUP_ROOT = '/sys/fs/cgroup';

/** Pids in a container cgroup; only the given ids when some are given. */
function containerProcesses(ids?: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      const match = new RegExp(`:${CONTAINER_CGROUP}([0-9a-f]{64})`).exec(cgroup);
      if (match?.[1] && (!ids || ids.includes(match[1]))) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

export function killContainerProcesses(ids: string[]): void {
  for (const pid of containerProcesses(ids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Container cgroup directories left in any hierarchy (v1 controllers and the v2 mount). */
function containerCgroupDirs(): string[] {
  const dirs: string[] = [];
  if (!existsSync(CGROUP_ROOT)) return dirs;
  for (const controller of readdirSync(CGROUP_ROOT)) {
    const parent = join(CGROUP_ROOT, controller, CONTAINER_CGROUP);
    if (existsSync(parent)) dirs.push(parent);
  }
  return dirs;
}

export function removeContainerCgroups(): void {
  for (const parent of containerCgroupDirs()) {
    try {
      for (const child of readdirSync(parent, { withFileTypes: true })) if (child.isDirectory()) run('rmdir', [join(parent, child.name)]);
      run('rmdir', [parent]);
    } catch {
      /* not a directory we may touch */
    }
  }
}

/** Every mount under a directory, deepest first. */
export function mountsUnder(prefix: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === prefix || m.startsWith(`${prefix}/`)));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Network namespaces whose interfaces carry a pod address of ours. */
export function podNetns(): string[] {
  const list = run('ip', ['netns', 'list']).stdout;
  const names = list
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(CNI_NETNS_PREFIX));
  const prefix = POD_CIDR.split('.').slice(0, 3).join('.');
  return names.filter((n) => run('ip', ['-n', n, '-4', '-br', 'addr']).stdout.includes(`${prefix}.`) || !hasInterfaces(n));
}

function hasInterfaces(netns: string): boolean {
  return run('ip', ['-n', netns, '-br', 'link'])
    .stdout.split('\n')
    .some((l) => l && !l.startsWith('lo '));
}

/** Pids of processes that belong to the node: shims and containers of our containerd. */
export function nodeProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(nodePaths.containerdSocket) || cmdline.includes(nodePaths.dir)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids.filter((p) => p !== process.pid);
}

const IPTABLES = ['iptables', 'ip6tables'] as const;
const TABLES = ['nat', 'filter', 'mangle'] as const;

/** KUBE-* chains the node's kubelet and kube-proxy made, in both address families. */
export function kubeChains(): string[] {
  const chains: string[] = [];
  for (const tool of IPTABLES) {
    for (const table of TABLES) {
      for (const line of run(tool, ['-t', table, '-S']).stdout.split('\n')) if (/^-N KUBE-/.test(line)) chains.push(`${tool}/${table}/${line.slice(3)}`);
    }
  }
  return chains;
}

/** Removes the jumps into KUBE-* chains, then the chains: whatever `kube-proxy --cleanup` left. */
export function removeKubeChains(): void {
  for (const tool of IPTABLES) {
    for (const table of TABLES) {
      const rules = run(tool, ['-t', table, '-S']).stdout.split('\n');
      for (const rule of rules.filter((r) => /^-A (?!KUBE-)\S+ .*-j KUBE-/.test(r))) {
        run(tool, ['-t', table, ...splitRule(rule.replace(/^-A /, '-D '))]);
      }
      const chains = rules.filter((r) => r.startsWith('-N KUBE-')).map((r) => r.slice(3));
      for (const chain of chains) run(tool, ['-t', table, '-F', chain]);
      for (const chain of chains) run(tool, ['-t', table, '-X', chain]);
    }
  }
}

/** Splits an `iptables -S` line into arguments, keeping quoted comments whole. */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function bridgeExists(): boolean {
  return run('ip', ['link', 'show', BRIDGE]).status === 0;
}

/** What a stopped node left behind; empty when the clean-up was complete. */
export function leftovers(): string[] {
  const left: string[] = [];
  for (const pid of nodeProcesses()) left.push(`process ${pid}`);
  for (const pid of containerProcesses()) left.push(`container process ${pid}`);
  for (const dir of containerCgroupDirs()) left.push(`cgroup ${dir}`);
  for (const ns of podNetns()) left.push(`netns ${ns}`);
  if (bridgeExists()) left.push(`bridge ${BRIDGE}`);
  for (const chain of kubeChains()) left.push(`iptables chain ${chain}`);
  for (const mount of mountsUnder(nodePaths.dir)) left.push(`mount ${mount}`);
  if (existsSync(nodePaths.dir)) left.push(`directory ${nodePaths.dir}`);
  if (existsSync(OWNER_FILE) && readFileSync(OWNER_FILE, 'utf8').trim() === stackDir) left.push(`claim ${OWNER_FILE}`);
  return left;
}
