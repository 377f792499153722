import type { Command } from 'commander';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rolloutSpecSchema } from '../../api/index.js';
import { REVISION_LABEL } from '../../api/index.js';
import { isFastRollback } from '../../rollout/plan-rollout.js';
import { previousStable, templateOf } from '../../rollout/undo.js';
import { RolloutClient } from '../rollout-client.js';

interface TargetFlags {
  kubeconfig?: string;
  namespace?: string;
}

function withTarget(cmd: Command): Command {
  return cmd.option('--kubeconfig <path>', 'kubeconfig to use').option('-n, --namespace <ns>', 'namespace of the Rollout');
}

/** promote, abort and retry: each records an operator action in the Rollout's status. */
export function registerOperate(program: Command): void {
  withTarget(program.command('promote').argument('<rollout>').description('finish the current step (or pause); --full skips all remaining steps'))
    .option('--full', 'promote to stable now, skipping the remaining steps')
    .action(async (name: string, flags: TargetFlags & { full?: boolean }) => {
      await new RolloutClient(flags).requestAction(name, flags.full ? 'PromoteFull' : 'Promote');
      process.stdout.write(`rollout ${name}: ${flags.full ? 'full promotion' : 'promotion'} requested\n`);
    });
  withTarget(program.command('abort').argument('<rollout>').description('roll back the canary: stable to full, canary down, Degraded with the reason'))
    .option('-m, --message <text>', 'why (kept in status and the Event)')
    .action(async (name: string, flags: TargetFlags & { message?: string }) => {
      await new RolloutClient(flags).requestAction(name, 'Abort', flags.message);
      process.stdout.write(`rollout ${name}: abort requested\n`);
    });
  withTarget(program.command('retry').argument('<rollout>').description('restart a Degraded or Blocked revision from its gates')).action(
    async (name: string, flags: TargetFlags) => {
      await new RolloutClient(flags).requestAction(name, 'Retry');
      process.stdout.write(`rollout ${name}: retry requested\n`);
    },
  );
  withTarget(
    program
      .command('undo')
      .argument('<rollout>')
      .description("put the Deployment's pod template back to the revision stable before the current one (or --to-revision)"),
  )
    .option('--to-revision <rev>', 'the revision to go back to (default: the one the last promotion replaced)')
    .action(async (name: string, flags: TargetFlags & { toRevision?: string }) => {
      const client = new RolloutClient(flags);
      const rollout = await client.get(name);
      const status = rollout.status ?? {};
      const revision = flags.toRevision ?? previousStable(status);
      if (!revision) throw new Error(`rollout ${name}: no earlier stable revision in status.history to go back to; pass --to-revision`);
      if (revision === status.stableRevision) throw new Error(`rollout ${name}: revision ${revision} is already the stable one`);
      const spec = rolloutSpecSchema.parse(rollout.spec);
      const apps = client.kc.makeApiClient(AppsV1Api);
      const rs = await apps.readNamespacedReplicaSet({ name: `${name}-${revision}`, namespace: client.namespace }).catch((err: unknown) => {
        throw new Error(`rollout ${name}: the ReplicaSet of revision ${revision} is gone, so its template cannot be restored (${String(err)})`);
      });
      if (!rs.spec?.template) throw new Error(`rollout ${name}: the ReplicaSet of revision ${revision} has no template`);
      const template = templateOf(rs.spec.template, revision, REVISION_LABEL);
      // Through the API server, so the admission webhook checks the restored template too.
      await apps.patchNamespacedDeployment(
        { name: spec.workloadRef.name, namespace: client.namespace, body: [{ op: 'replace', path: '/spec/template', value: template }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      const fast = isFastRollback(spec, status, revision, new Date())
        ? `it was stable within rollback.window (${spec.rollback.window}), so it returns without the canary steps, checked by the Enforce rules`
        : `it runs the canary steps (${spec.rollback.window ? `stable longer ago than rollback.window ${spec.rollback.window}` : 'no rollback.window is set'})`;
      process.stdout.write(`rollout ${name}: Deployment ${spec.workloadRef.name} set back to revision ${revision}; ${fast}\n`);
    });
}
