// A doctor check is a small function of the cluster that returns lines of findings:
// each ✓ or ✗, and every ✗ carries the command or change that fixes it.
import type { KubeConfig } from '@kubernetes/client-node';

export interface CheckResult {
  /** The group the line prints under: CRDs, Webhook, Controller, RBAC, Prometheus, Namespace. */
  group: string;
  ok: boolean;
  message: string;
  fix?: string;
}

export interface DoctorContext {
  kc: KubeConfig;
  /** Where the controller keeps its Lease and webhook TLS Secret. */
  controllerNamespace: string;
  leaseName: string;
  configurationName: string;
  /** The default Prometheus the controller measures against, if known. */
  prometheusUrl?: string;
  /** A namespace to diagnose: gated or not, policies and Rollouts that apply. */
  namespace?: string;
  /** The ServiceAccount whose RBAC is checked; absent: the kubeconfig's own identity. */
  serviceAccount?: string;
}

export type Check = (ctx: DoctorContext) => Promise<CheckResult[]>;

export const pass = (group: string, message: string): CheckResult => ({ group, ok: true, message });
export const fail = (group: string, message: string, fix: string): CheckResult => ({ group, ok: false, message, fix });
