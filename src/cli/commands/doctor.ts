import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { formatReport, runDoctor, type DoctorContext } from '../../doctor/run-doctor.js';
import { SHARD_LABEL } from '../../api/labels.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';
import { DEFAULT_CONFIGURATION_NAME } from '../../webhook/registration.js';

interface DoctorFlags {
  kubeconfig?: string;
  namespace?: string;
  controllerNamespace: string;
  leaseName?: string;
  webhookConfigurationName?: string;
  prometheusUrl?: string;
  serviceAccount?: string;
  output: string;
}

const DEFAULT_CONTROLLER_NAMESPACE = 'clairvoyance-system';
const DEFAULT_LEASE = 'clairvoyance-controller';

/** `--flag=value` or `--flag value` from a container's args. */
function argValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a === flag) return args[i + 1];
  }
  return undefined;
}

/** An installed controller (the chart's Deployment) says its own lease, webhook name, Prometheus and ServiceAccount. */
async function installedDefaults(kc: KubeConfig, namespace: string): Promise<Partial<DoctorContext>> {
  try {
    // The unsharded Deployment: shards run without the webhook and lead Leases of their own.
    const list = await kc
      .makeApiClient(AppsV1Api)
      .listNamespacedDeployment({ namespace, labelSelector: `app.kubernetes.io/name=clairvoyance,!${SHARD_LABEL}` });
    const d = list.items[0];
    if (!d) return {};
    const pod = d.spec?.template.spec;
    const args = pod?.containers[0]?.args ?? [];
    const lease = argValue(args, '--lease-name');
    const webhook = argValue(args, '--webhook-configuration-name');
    const prometheus = argValue(args, '--prometheus-url');
    return {
      ...(lease ? { leaseName: lease } : {}),
      ...(webhook ? { configurationName: webhook } : {}),
      ...(prometheus ? { prometheusUrl: prometheus } : {}),
      ...(pod?.serviceAccountName ? { serviceAccount: pod.serviceAccountName } : {}),
    };
  } catch {
    // Not readable or not installed: flags and defaults stand.
    return {};
  }
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the installation: CRDs, webhook endpoints, leader, RBAC, Prometheus, and a namespace (-n); exit 1 on any ✗')
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('-n, --namespace <ns>', 'also diagnose this namespace: gated, policies, Rollouts and their flag sources')
    .option('--controller-namespace <ns>', 'namespace of the controller (its Lease and TLS Secret)', DEFAULT_CONTROLLER_NAMESPACE)
    .option('--lease-name <name>', `leader-election Lease (default: the installed controller's, else ${DEFAULT_LEASE})`)
    .option('--webhook-configuration-name <name>', `webhook configurations to check (default: the installed controller's, else ${DEFAULT_CONFIGURATION_NAME})`)
    .option('--prometheus-url <url>', "the controller's default Prometheus (default: the installed controller's, else $PROMETHEUS_URL)")
    .option(
      '--service-account <name>',
      "check RBAC for this ServiceAccount in the controller namespace (default: the installed controller's, else this kubeconfig)",
    )
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (flags: DoctorFlags) => {
      if (flags.output !== 'table' && flags.output !== 'json') throw new Error(`-o/--output must be table or json, got "${flags.output}"`);
      const kc = loadKubeConfig(flags.kubeconfig);
      const installed = await installedDefaults(kc, flags.controllerNamespace);
      const prometheusUrl = flags.prometheusUrl ?? installed.prometheusUrl ?? process.env.PROMETHEUS_URL;
      const serviceAccount = flags.serviceAccount ?? installed.serviceAccount;
      const ctx: DoctorContext = {
        kc,
        controllerNamespace: flags.controllerNamespace,
        leaseName: flags.leaseName ?? installed.leaseName ?? DEFAULT_LEASE,
        configurationName: flags.webhookConfigurationName ?? installed.configurationName ?? DEFAULT_CONFIGURATION_NAME,
        ...(prometheusUrl ? { prometheusUrl } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(serviceAccount ? { serviceAccount } : {}),
      };
      const report = await runDoctor(ctx);
      process.stdout.write(flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, process.stdout.isTTY));
      if (!report.ok) process.exitCode = 1;
    });
}
