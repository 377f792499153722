// The real node's configuration: what each component is told, checked as text, so a
// change that would let the node pull from a registry, masquerade to the outside or
// open ports on the machine's own interfaces fails here before any process starts.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { podScrapeConfig, prometheusConfig } from '../../../dev/stack/components.js';
import {
  BRIDGE,
  BRIDGE_IP,
  cniConfig,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  nodePaths,
  PAUSE_IMAGE,
  POD_CIDR,
  REAL_NODE_TAINT,
  realNodeWanted,
} from '../../../dev/stack/node-config.js';

const ports = { kubelet: 10250, kubeletHealthz: 10248, kubeProxyHealthz: 10256, kubeProxyMetrics: 10249 };

describe('containerd configuration', () => {
  const toml = containerdConfig('/usr/lib/cni', '/state/runc');
  it('uses its own socket, root and runc state, never the machine-wide ones', () => {
    expect(toml).toContain(`address = "${nodePaths.containerdSocket}"`);
    expect(toml).toContain(`root = "${nodePaths.containerdRoot}"`);
    expect(toml).toContain('Root = "/state/runc"');
    expect(toml).not.toMatch(/\/run\/containerd|\/var\/lib\/containerd/);
  });
  it('names a sandbox image under its full reference, so CRI never tries a registry', () => {
    expect(PAUSE_IMAGE).toMatch(/^docker\.io\//);
    expect(toml).toContain(`sandbox_image = "${PAUSE_IMAGE}"`);
  });
  it('restricts oom_score_adj, without which runc cannot start a sandbox here', () => {
    expect(toml).toContain('restrict_oom_score_adj = true');
  });
});

describe('CNI configuration', () => {
  const conf = JSON.parse(cniConfig()) as { plugins: { type: string; bridge?: string; ipMasq?: boolean; ipam?: { ranges: { subnet: string }[][] } }[] };
  it('puts pods on the stack bridge in its own CIDR, without masquerading to the outside', () => {
    const bridge = conf.plugins.find((p) => p.type === 'bridge');
    expect(bridge?.bridge).toBe(BRIDGE);
    expect(bridge?.ipMasq).toBe(false);
    expect(bridge?.ipam?.ranges[0]?.[0]?.subnet).toBe(POD_CIDR);
  });
});

describe('kubelet configuration', () => {
  const config = parseYaml(kubeletConfig(ports, '/pki/ca.crt')) as Record<string, unknown>;
  it('serves on the bridge address, health on loopback, with client certificates only', () => {
    expect(config.address).toBe(BRIDGE_IP);
    expect(config.healthzBindAddress).toBe('127.0.0.1');
    expect(config.readOnlyPort).toBe(0);
    expect(config.authentication).toMatchObject({ anonymous: { enabled: false }, x509: { clientCAFile: '/pki/ca.crt' } });
  });
  it('registers the node tainted, so only pods that ask for real code land on it', () => {
    expect(config.registerWithTaints).toEqual([{ key: REAL_NODE_TAINT.key, value: REAL_NODE_TAINT.value, effect: REAL_NODE_TAINT.effect }]);
  });
  it('fits a cgroup v1 machine without systemd', () => {
    expect(config).toMatchObject({ cgroupDriver: 'cgroupfs', cgroupsPerQOS: false, enforceNodeAllocatable: [] });
  });
});

describe('kube-proxy configuration', () => {
  const config = parseYaml(kubeProxyConfig(ports, POD_CIDR)) as Record<string, unknown>;
  it('opens NodePorts on the bridge only, never on the machine interfaces', () => {
    expect(config.nodePortAddresses).toEqual([`${BRIDGE_IP}/32`]);
    expect(config.mode).toBe('iptables');
    expect(config.healthzBindAddress).toMatch(/^127\.0\.0\.1:/);
  });
});

describe('Prometheus pod discovery', () => {
  const config = parseYaml(prometheusConfig('/targets', '/kubeconfig')) as {
    scrape_configs: { job_name: string; relabel_configs?: Record<string, unknown>[] }[];
  };
  const pods = config.scrape_configs.find((c) => c.job_name === 'kubernetes-pods');
  it('keeps file discovery and adds pod discovery only with a kubeconfig', () => {
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(['file-targets', 'kubernetes-pods']);
    expect((parseYaml(prometheusConfig('/targets')) as typeof config).scrape_configs.map((c) => c.job_name)).toEqual(['file-targets']);
    expect(podScrapeConfig('/k').join('\n')).toContain('kubeconfig_file: /k');
  });
  it('copies the revision pod label into `revision`, as the README documents', () => {
    expect(pods?.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_label_clairvoyance_dev_revision'], target_label: 'revision' });
  });
  it('rewrites the address to the annotated port', () => {
    const rule = pods?.relabel_configs?.find((r) => r.target_label === '__address__');
    const regex = new RegExp(`^${String(rule?.regex)}$`);
    expect('10.250.0.7:8080;9090'.replace(regex, String(rule?.replacement).replace(/\$(\d)/g, '$$$1'))).toBe('10.250.0.7:9090');
    expect('10.250.0.7;9090'.replace(regex, '$1:$2')).toBe('10.250.0.7:9090');
  });
});

describe('STACK_NODES', () => {
  it('starts the real node unless asked for kwok alone', () => {
    const saved = process.env.STACK_NODES;
    try {
      delete process.env.STACK_NODES;
      expect(realNodeWanted()).toBe(true);
      process.env.STACK_NODES = 'kwok';
      expect(realNodeWanted()).toBe(false);
      process.env.STACK_NODES = 'real, kwok';
      expect(realNodeWanted()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.STACK_NODES;
      else process.env.STACK_NODES = saved;
    }
  });
});
