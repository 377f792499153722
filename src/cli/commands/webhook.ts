import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { KubeEventRecorder } from '../../kube/events.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';
import { describeEndpoint } from '../../webhook/endpoint-probe.js';
import { readRegistration } from '../../webhook/lifecycle.js';
import { deleteWebhookConfigurations, DEFAULT_CONFIGURATION_NAME } from '../../webhook/registration.js';

interface RemoveFlags {
  kubeconfig?: string;
  name: string;
  yes?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `clairvoyance webhook remove`: the break-glass that opens a gate whose webhook is dead. */
export function registerWebhook(program: Command): void {
  const webhook = program.command('webhook').description('manage the admission webhook registration');
  webhook
    .command('remove')
    .description(
      'delete the validating and mutating webhook configurations (break-glass: gated namespaces admit changes unchecked until the controller registers again)',
    )
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('--name <name>', 'name of the configurations', DEFAULT_CONFIGURATION_NAME)
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (flags: RemoveFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const found = await readRegistration(kc, flags.name);
      if (found.length === 0) {
        process.stdout.write(`no webhook configuration "${flags.name}" is registered; nothing to remove\n`);
        return;
      }
      for (const c of found) {
        const endpoints = [...new Set((c.webhooks ?? []).map((w) => describeEndpoint(w.clientConfig)))];
        process.stdout.write(`${c.kind} ${flags.name}: ${c.webhooks?.length ?? 0} webhooks -> ${endpoints.join(', ')}\n`);
      }
      if (!flags.yes) {
        if (!process.stdin.isTTY) throw new Error('refusing to remove without confirmation: stdin is not a terminal; pass --yes');
        if (!(await confirm(`Remove these configurations? Gated namespaces will admit changes without a verdict. [y/N] `))) {
          process.stdout.write('nothing removed\n');
          return;
        }
      }
      await deleteWebhookConfigurations(kc, flags.name);
      const events = new KubeEventRecorder(kc, { component: 'clairvoyance-cli' });
      const who = process.env.USER ?? 'unknown';
      for (const c of found) {
        await events.event(
          { apiVersion: 'admissionregistration.k8s.io/v1', kind: c.kind, metadata: { name: flags.name, ...(c.metadata?.uid ? { uid: c.metadata.uid } : {}) } },
          'Warning',
          'WebhookRemoved',
          `clairvoyance webhook remove by ${who}: admission gating is off until the controller registers again`,
        );
      }
      process.stdout.write(`removed webhook configurations "${flags.name}"; an Event (reason WebhookRemoved) records it in namespace default\n`);
    });
}
