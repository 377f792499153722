// Command lines of the stack's components. Everything binds to 127.0.0.1.
import { join } from 'node:path';
import type { Binaries } from './binaries.js';
import { paths } from './paths.js';
import type { StackPki } from './pki.js';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  prometheus: number;
}

export const SERVICE_CIDR = '10.96.0.0/16';

export function etcdArgs(ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=clairvoyance',
    `--data-dir=${join(paths.data, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=clairvoyance=${peer}`,
    // A throwaway dev store: durability costs fsyncs the tests do not need.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverArgs(ports: Ports, pki: StackPki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${paths.pki}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota',
    // The API server reaches the real node's kubelet (logs, exec) with the admin identity.
    `--kubelet-client-certificate=${pki.adminFiles.cert}`,
    `--kubelet-client-key=${pki.adminFiles.key}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPublic}`,
    `--service-account-signing-key-file=${pki.saPrivate}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // A loopback advertise address cannot back the `kubernetes` Service's endpoints.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    // Compact often, as a long-lived cluster does, so watches resuming from an old
    // resourceVersion meet 410 Gone in tests instead of hours later in production.
    '--etcd-compaction-interval=30s',
    // ConfigMap watches go to etcd, not the watch cache: the cache keeps old events for as
    // long as few arrive, and would answer a watch from a compacted resourceVersion with
    // the current state instead of 410, so the informer's relist would depend on churn.
    '--watch-cache-sizes=configmaps#0',
    '--v=0',
  ];
}

export function controllerManagerArgs(ports: Ports, pki: StackPki, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${join(paths.pki, 'controller-manager')}`,
    `--service-account-private-key-file=${pki.saPrivate}`,
    `--root-ca-file=${pki.caCert}`,
    '--use-service-account-credentials=true',
    // Client-side rate limits sized for a production control plane starve a benchmark
    // that creates thousands of Pods; this API server is local and idle otherwise.
    '--kube-api-qps=300',
    '--kube-api-burst=600',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--leader-elect=false',
    '--v=0',
  ];
}

export function schedulerArgs(ports: Ports, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${join(paths.pki, 'scheduler')}`,
    '--kube-api-qps=300',
    '--kube-api-burst=600',
    '--leader-elect=false',
    '--v=0',
  ];
}

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export function kwokArgs(ports: Ports, kubeconfig: string, config: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${config}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    `--server-address=127.0.0.1:${ports.kwok}`,
    '--cidr=10.244.0.1/16',
    // Heartbeats through Leases, as kubelets do; without them the node-lifecycle
    // controller marks the nodes NotReady after its grace period.
    '--node-lease-duration-seconds=40',
  ];
}

export function prometheusArgs(ports: Ports, config: string): string[] {
  return [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(paths.data, 'prometheus')}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    '--web.enable-lifecycle',
    '--storage.tsdb.retention.time=6h',
    '--log.level=warn',
  ];
}

/**
 * Scrape every second. Processes outside the cluster are targets in JSON files dropped
 * into .stack/prometheus/targets/; pods are found through Kubernetes service discovery
 * with the relabelling the README documents for production.
 */
export function prometheusConfig(targetsDir: string = paths.prometheusTargets, kubeconfig?: string): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: file-targets',
    '    file_sd_configs:',
    `      - files: ['${join(targetsDir, '*.json')}']`,
    '        refresh_interval: 1s',
  ];
  if (kubeconfig) lines.push(...podScrapeConfig(kubeconfig));
  return `${lines.join('\n')}\n`;
}

/** Pods that opt in with prometheus.io/scrape; their revision label becomes `revision`. */
export function podScrapeConfig(kubeconfig: string): string[] {
  return [
    '  - job_name: kubernetes-pods',
    '    kubernetes_sd_configs:',
    '      - role: pod',
    `        kubeconfig_file: ${kubeconfig}`,
    '    relabel_configs:',
    '      - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: "true"}',
    '      - {source_labels: [__meta_kubernetes_pod_phase], action: keep, regex: Running}',
    '      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]',
    '        action: replace',
    "        regex: '([^:]+)(?::\\d+)?;(\\d+)'",
    '        replacement: "$1:$2"',
    '        target_label: __address__',
    '      - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], action: replace, regex: "(.+)", target_label: __metrics_path__}',
    '      - {source_labels: [__meta_kubernetes_pod_label_clairvoyance_dev_revision], target_label: revision}',
    '      - {source_labels: [__meta_kubernetes_pod_label_app], target_label: service}',
    '      - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}',
    '      - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}',
  ];
}

export function kwokConfig(): string {
  return ['apiVersion: config.kwok.x-k8s.io/v1alpha1', 'kind: KwokConfiguration', 'options: {}', ''].join('\n');
}

export type { Binaries };
