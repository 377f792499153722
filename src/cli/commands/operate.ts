import type { Command } from 'commander';
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
}
