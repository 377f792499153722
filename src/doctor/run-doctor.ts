// The checks in the order a reader fixes things: the API first, then the gate, the
// controller behind it, its permissions, its Prometheus, and a namespace's own wiring.
import { errorMessage } from '../kube/errors.js';
import { fail, type Check, type CheckResult, type DoctorContext } from './check.js';
import { crdsCheck } from './checks/crds.js';
import { leaderCheck } from './checks/leader.js';
import { namespaceCheck } from './checks/namespace.js';
import { prometheusCheck } from './checks/prometheus.js';
import { rbacCheck } from './checks/rbac.js';
import { staleWebhooksCheck, webhookCheck } from './checks/webhooks.js';

export type { CheckResult, DoctorContext } from './check.js';

const CHECKS = {
  crds: ['CRDs', crdsCheck],
  webhook: ['Webhook', webhookCheck],
  'stale-webhooks': ['Webhook', staleWebhooksCheck],
  leader: ['Controller', leaderCheck],
  rbac: ['RBAC', rbacCheck],
  prometheus: ['Prometheus', prometheusCheck],
  namespace: ['Namespace', namespaceCheck],
} as const satisfies Record<string, readonly [group: string, check: Check]>;

export type CheckId = keyof typeof CHECKS;

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** Runs every check; one that cannot run (API unreachable, forbidden) is itself a ✗, never a crash. */
export async function runDoctor(ctx: DoctorContext, only?: readonly CheckId[]): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  for (const [id, [group, check]] of Object.entries(CHECKS) as [CheckId, (typeof CHECKS)[CheckId]][]) {
    if (only && !only.includes(id)) continue;
    try {
      checks.push(...(await check(ctx)));
    } catch (err) {
      checks.push(fail(group, `could not check: ${errorMessage(err)}`, 'check that the kubeconfig reaches the API server and may read these objects'));
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}

/** One line per check, grouped, every ✗ followed by its fix. */
export function formatReport(report: DoctorReport, color: boolean): string {
  const green = (s: string): string => (color ? `\u001b[32m${s}\u001b[0m` : s);
  const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[0m` : s);
  const lines: string[] = [];
  let group = '';
  for (const c of report.checks) {
    if (c.group !== group) {
      group = c.group;
      lines.push(`${lines.length ? '\n' : ''}${group}`);
    }
    lines.push(`  ${c.ok ? green('✓') : red('✗')} ${c.message}`);
    if (!c.ok && c.fix) lines.push(`      fix: ${c.fix}`);
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push('', report.ok ? green('All checks passed.') : red(`${failed} check${failed === 1 ? '' : 's'} failed.`));
  return `${lines.join('\n')}\n`;
}
