// Background audit: existing Deployments against each policy, so a policy added today
// shows what it would have denied. Results land in the policy's status and in metrics.
import { API_VERSION, CLUSTER_CONTEXT_POLICY_KIND, GROUP, KINDS, MAX_AUDIT_RESULTS, type AuditResult } from '../api/index.js';
import { evaluatePolicy, governingRollouts, policyName, type AnyPolicy, type PolicySource } from '../gates/index.js';
import { errorMessage } from '../kube/errors.js';
import { KubeClient, type KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import type { Logger } from '../telemetry/logger.js';
import type { WebhookMetrics } from './metrics.js';

export interface PolicyAudit {
  policy: AnyPolicy;
  violations: number;
  /** At most MAX_AUDIT_RESULTS, ordered by namespace, name and rule. */
  results: AuditResult[];
  /** Violations per rule id, for the gauge. */
  byRule: Map<string, number>;
}

/** Pure scan of every workload against every policy (by match; Rollout-named extras are the gate's). */
export function auditPolicies(source: PolicySource): PolicyAudit[] {
  const workloads = source.workloads();
  const policies: AnyPolicy[] = [...source.clusterContextPolicies()];
  const namespaces = [...new Set(workloads.map((w) => w.metadata?.namespace ?? ''))];
  for (const ns of namespaces) policies.push(...source.contextPolicies(ns));
  return policies.map((policy) => {
    const all: AuditResult[] = [];
    const byRule = new Map<string, number>();
    for (const w of workloads) {
      const ns = w.metadata?.namespace ?? '';
      const findings = evaluatePolicy(policy, {
        object: w,
        namespace: source.namespace(ns),
        rollouts: governingRollouts(w, source.rolloutsOf(ns, w.metadata?.name ?? '')),
        workloads,
      });
      for (const f of findings) {
        all.push({ namespace: ns, name: w.metadata?.name ?? '', ruleId: f.ruleId, message: f.message });
        byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
      }
    }
    all.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.ruleId.localeCompare(b.ruleId));
    return { policy, violations: all.length, results: all.slice(0, MAX_AUDIT_RESULTS), byRule };
  });
}

export interface AuditorOptions {
  kubeConfig: KubeConfigLike;
  source: PolicySource;
  logger: Logger;
  metrics?: WebhookMetrics | undefined;
  now?: () => Date;
}

export class PolicyAuditor {
  private readonly kube: KubeClient;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: AuditorOptions) {
    this.kube = KubeClient.for(opts.kubeConfig);
  }

  /** One scan: metrics replaced, each policy's status.audit written through /status. */
  async scan(): Promise<PolicyAudit[]> {
    const audits = auditPolicies(this.opts.source);
    const gauge = this.opts.metrics?.violations;
    gauge?.reset();
    for (const a of audits) for (const [rule, n] of a.byRule) gauge?.set({ policy: policyName(a.policy), rule }, n);
    const lastScanAt = (this.opts.now ?? (() => new Date()))()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    for (const a of audits) {
      try {
        await this.writeStatus(a, lastScanAt);
      } catch (err) {
        // One policy deleted mid-scan or a transient error must not stop the others.
        this.opts.logger.warn({ policy: policyName(a.policy), err: errorMessage(err) }, 'audit status write failed');
      }
    }
    return audits;
  }

  private async writeStatus(a: PolicyAudit, lastScanAt: string): Promise<void> {
    const p = a.policy;
    const name = p.metadata.name ?? '';
    const body = { status: { audit: { lastScanAt, violations: a.violations, results: a.results } } };
    const policies = new ResourceClient<AnyPolicy>(this.kube, { group: GROUP, version: API_VERSION.split('/')[1] ?? 'v1alpha1', plural: KINDS[p.kind].plural });
    await policies.patchStatus(p.kind === CLUSTER_CONTEXT_POLICY_KIND ? undefined : (p.metadata.namespace ?? ''), name, body);
  }

  /** Scans every `intervalMs`; a slow scan is never overlapped by the next. */
  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.running = this.scan()
        .then(() => undefined)
        .catch((err: unknown) => this.opts.logger.warn({ err: errorMessage(err) }, 'audit scan failed'))
        .finally(() => {
          this.running = undefined;
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, Math.min(intervalMs, 5_000)).unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
