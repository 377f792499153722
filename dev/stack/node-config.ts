// Configuration of the stack's real node: containerd, CNI, kubelet and kube-proxy.
// Pure text generators, so what the node runs is readable and unit-tested apart from
// the processes that run it.
import { join } from 'node:path';
import { stackDir } from './paths.js';

export const REAL_NODE_NAME = 'clairvoyance-node';
/** Pods that do not tolerate this taint stay on the kwok nodes, where they run no code. */
export const REAL_NODE_TAINT = { key: 'clairvoyance.dev/real-node', value: 'true', effect: 'NoSchedule' } as const;
export const REAL_NODE_LABEL = 'clairvoyance.dev/node-type';

/** Pod addresses live on a bridge the stack creates; nothing outside this machine is routed. */
export const POD_CIDR = '10.250.0.0/24';
export const BRIDGE = 'cv0';
export const BRIDGE_IP = '10.250.0.1';
/** CNI's per-pod netns names start with this; the stack removes any that are left. */
export const CNI_NETNS_PREFIX = 'cni-';

/** CRI normalises short names under docker.io; import under the full name so nothing is ever pulled. */
export const PAUSE_IMAGE = 'docker.io/clairvoyance/pause:local';

/** Which nodes `stack:up` starts: `real,kwok` (default) or `kwok` alone (scale benchmarks). */
export function realNodeWanted(): boolean {
  const wanted = (process.env.STACK_NODES ?? 'real,kwok').split(',').map((s) => s.trim());
  return wanted.includes('real');
}

const nodeDir = join(stackDir, 'node');

export const nodePaths = {
  dir: nodeDir,
  containerdRoot: join(nodeDir, 'containerd', 'root'),
  containerdState: join(nodeDir, 'containerd', 'state'),
  containerdConfig: join(nodeDir, 'containerd', 'config.toml'),
  containerdSocket: join(nodeDir, 'containerd', 'containerd.sock'),
  cniConfDir: join(nodeDir, 'cni', 'net.d'),
  cniIpamDir: join(nodeDir, 'cni', 'ipam'),
  kubeletRoot: join(nodeDir, 'kubelet'),
  kubeletConfig: join(nodeDir, 'kubelet-config.yaml'),
  kubeletKubeconfig: join(nodeDir, 'kubelet.kubeconfig'),
  kubeProxyConfig: join(nodeDir, 'kube-proxy-config.yaml'),
  kubeProxyKubeconfig: join(nodeDir, 'kube-proxy.kubeconfig'),
  images: join(nodeDir, 'images'),
};

export interface NodePorts {
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
}

export function containerdConfig(cniBinDir: string, runcRoot: string, paths = nodePaths): string {
  return [
    'version = 2',
    `root = "${paths.containerdRoot}"`,
    `state = "${paths.containerdState}"`,
    // Snapshotters this machine cannot use only add start-up noise.
    'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]',
    '[grpc]',
    `  address = "${paths.containerdSocket}"`,
    '[ttrpc]',
    `  address = "${paths.containerdSocket}.ttrpc"`,
    '[metrics]',
    '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${join(paths.containerdRoot, 'opt')}"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // runc cannot lower the sandbox's oom_score_adj to -998 here; without this it fails
    // with "can't get final child's PID from pipe: EOF".
    '  restrict_oom_score_adj = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  disable_apparmor = true',
    '  enable_selinux = false',
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '      runtime_type = "io.containerd.runc.v2"',
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '        SystemdCgroup = false',
    // runc's default state dir is machine-wide; the stack's containers keep to its own.
    `        Root = "${runcRoot}"`,
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    `    bin_dir = "${cniBinDir}"`,
    `    conf_dir = "${paths.cniConfDir}"`,
    '    max_conf_num = 1',
    '',
  ].join('\n');
}

/** A bridge with host-local addresses and no masquerade: pods reach the host and each other only. */
export function cniConfig(paths = nodePaths): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'clairvoyance',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          // The default route reaches Services (kube-proxy DNATs on the host) and the API
          // relay; with no masquerade and the host not forwarding, it reaches nothing else.
          isDefaultGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR, gateway: BRIDGE_IP }]], dataDir: paths.cniIpamDir },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(ports: NodePorts, caFile: string, paths = nodePaths): string {
  return [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    `address: ${BRIDGE_IP}`,
    `port: ${ports.kubelet}`,
    'readOnlyPort: 0',
    'healthzBindAddress: 127.0.0.1',
    `healthzPort: ${ports.kubeletHealthz}`,
    `containerRuntimeEndpoint: unix://${paths.containerdSocket}`,
    // This machine mounts cgroup v1 and runs no systemd for the stack.
    'cgroupDriver: cgroupfs',
    'cgroupsPerQOS: false',
    'enforceNodeAllocatable: []',
    'failSwapOn: false',
    // A shared dev disk: evicting pods because the disk is busy elsewhere helps nobody.
    'evictionHard: {memory.available: "50Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}',
    'imageGCHighThresholdPercent: 100',
    'imageGCLowThresholdPercent: 99',
    'localStorageCapacityIsolation: false',
    'authentication:',
    '  anonymous: {enabled: false}',
    '  webhook: {enabled: false}',
    `  x509: {clientCAFile: ${caFile}}`,
    'authorization: {mode: AlwaysAllow}',
    // Leave the machine's firewall alone: kube-proxy programs what Services need.
    'makeIPTablesUtilChains: false',
    'registerNode: true',
    'registerWithTaints:',
    `  - {key: ${REAL_NODE_TAINT.key}, value: "${REAL_NODE_TAINT.value}", effect: ${REAL_NODE_TAINT.effect}}`,
    'maxPods: 60',
    'serializeImagePulls: false',
    // No DNS server runs in the stack; pods are given addresses, not names.
    'resolvConf: ""',
    'nodeStatusUpdateFrequency: 5s',
    'syncFrequency: 10s',
    'fileCheckFrequency: 10s',
    'shutdownGracePeriod: 0s',
    '',
  ].join('\n');
}

export function kubeletArgs(paths = nodePaths): string[] {
  return [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${paths.kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--hostname-override=${REAL_NODE_NAME}`,
    // Not loopback: kube-proxy programs nothing for a node whose IP is 127.0.0.1.
    `--node-ip=${BRIDGE_IP}`,
    `--node-labels=${REAL_NODE_LABEL}=real`,
    '--v=1',
  ];
}

export function kubeProxyConfig(ports: NodePorts, clusterCidr: string, paths = nodePaths): string {
  return [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'kind: KubeProxyConfiguration',
    'mode: iptables',
    `clientConnection: {kubeconfig: ${paths.kubeProxyKubeconfig}}`,
    `hostnameOverride: ${REAL_NODE_NAME}`,
    `bindAddress: ${BRIDGE_IP}`,
    `healthzBindAddress: 127.0.0.1:${ports.kubeProxyHealthz}`,
    `metricsBindAddress: 127.0.0.1:${ports.kubeProxyMetrics}`,
    `clusterCIDR: ${clusterCidr}`,
    // NodePorts open on the bridge only, never on the machine's own interfaces.
    `nodePortAddresses: ["${BRIDGE_IP}/32"]`,
    'conntrack: {maxPerCore: 0}',
    'iptables: {syncPeriod: 5s, minSyncPeriod: 0s}',
    '',
  ].join('\n');
}

export function kubeProxyArgs(paths = nodePaths): string[] {
  return [`--config=${paths.kubeProxyConfig}`, '--v=1'];
}

/** The tolerations and selector a pod needs to run on the real node. */
export const realNodePlacement = {
  nodeSelector: { [REAL_NODE_LABEL]: 'real' },
  tolerations: [{ key: REAL_NODE_TAINT.key, operator: 'Equal', value: REAL_NODE_TAINT.value, effect: REAL_NODE_TAINT.effect }],
};
