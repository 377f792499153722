import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { parseSpan } from '../../ledger/span.js';
import { DEFAULT_DISCOVERY_GRACE_MS, formatDuration, parseDuration } from '../../analysis/index.js';
import { createLogger } from '../../telemetry/logger.js';
import { shardNameProblem } from '../../api/sharding.js';

interface RunFlags {
  kubeconfig?: string;
  namespace: string[];
  workers: string;
  bindAddress: string;
  metricsPort: string;
  healthPort: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaseName: string;
  shard?: string;
  prometheusUrl?: string;
  signalDiscoveryGrace?: string;
  changeRetention: string;
  logLevel: string;
  webhook: boolean;
  webhookPort: string;
  webhookHost: string;
  webhookService?: string;
  webhookConfigurationName?: string;
  webhookOwnerClusterrole?: string;
  webhookWorkers: string;
  controllerNamespace?: string;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number (0-65535, 0 picks a free one), got "${value}"`);
  return n;
}

function graceMs(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new Error(`--signal-discovery-grace must be a duration such as 30s or 2m: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the controller (out of cluster with --kubeconfig, in cluster with its service account)')
    .option('--kubeconfig <path>', 'kubeconfig to use (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)')
    .option('-n, --namespace <ns...>', 'namespaces to watch (repeatable or comma-separated; default: all)', [])
    .option('--workers <n>', 'concurrent reconciles', '4')
    .option('--bind-address <ip>', 'address for the health and metrics servers', '0.0.0.0')
    .option('--metrics-port <port>', 'port serving /metrics', '8080')
    .option('--health-port <port>', 'port serving /healthz and /readyz', '8081')
    .option('--no-leader-elect', 'run without leader election (a single replica)')
    .option('--leader-election-namespace <ns>', 'namespace of the leader-election Lease (default: own namespace)')
    .option('--lease-name <name>', 'name of the leader-election Lease', 'clairvoyance-controller')
    .option(
      '--shard <name>',
      'reconcile only the Rollouts labelled clairvoyance.dev/shard=<name>, under the Lease <lease-name>-<name>, without the webhook (default: the unlabelled Rollouts, the webhook, Change retention and the policy audit)',
    )
    .option('--prometheus-url <url>', 'default Prometheus for analysis templates without an address')
    .option(
      '--signal-discovery-grace <duration>',
      `how long a missing observability signal is provisional after an analysis starts (default ${formatDuration(DEFAULT_DISCOVERY_GRACE_MS)})`,
    )
    .option('--change-retention <span>', 'how long a Change is kept after its last event (e.g. 90d, 720h)', '90d')
    .option('--log-level <level>', `log level (${LEVELS.join(', ')})`, 'info')
    .option('--no-webhook', 'do not serve the admission webhook')
    .option('--webhook-port <port>', 'HTTPS port of the admission webhook', '9443')
    .option('--webhook-host <ip>', 'address the webhook binds (out of cluster the API server calls 127.0.0.1)', '0.0.0.0')
    .option('--webhook-service <name>', 'in cluster: the Service the API server calls the webhook through')
    .option('--webhook-configuration-name <name>', 'name of the webhook configurations kept current', 'clairvoyance')
    .option('--webhook-workers <n>', 'event loops serving admission (node:cluster workers, each with its own policy caches)', '1')
    .option('--webhook-owner-clusterrole <name>', 'in cluster: ClusterRole that owns the webhook configurations, so deleting the install removes them')
    .option(
      '--controller-namespace <ns>',
      'namespace holding the webhook TLS Secret and the Secrets ClusterAnalysisTemplates name, never gated (default: own namespace)',
    )
    .action(async (flags: RunFlags) => {
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got "${flags.workers}"`);
      const webhookWorkers = Number(flags.webhookWorkers);
      if (!/^\d+$/.test(flags.webhookWorkers.trim()) || !Number.isSafeInteger(webhookWorkers) || webhookWorkers < 1) {
        throw new Error(`--webhook-workers must be a positive integer, got "${flags.webhookWorkers}"`);
      }
      if (!LEVELS.includes(flags.logLevel)) throw new Error(`--log-level must be one of ${LEVELS.join(', ')}, got "${flags.logLevel}"`);
      // Parsed before anything starts, so a bad value fails fast with the flag's name.
      const signalDiscoveryGraceMs = flags.signalDiscoveryGrace === undefined ? undefined : graceMs(flags.signalDiscoveryGrace);
      const changeRetentionMs = parseSpan(flags.changeRetention, '--change-retention');
      const shardProblem = flags.shard === undefined ? undefined : shardNameProblem(flags.shard);
      if (shardProblem) throw new Error(`--shard: ${shardProblem}`);
      const logger = createLogger(flags.logLevel as LevelWithSilent);
      if (flags.shard !== undefined && flags.webhook) logger.info({ shard: flags.shard }, '--shard: the webhook is served by the unsharded instance, not here');
      // Loaded here, not at the top: every other command starts without the controller's graph.
      const { startClairvoyance } = await import('../../main.js');
      const running = await startClairvoyance(
        {
          ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
          namespaces: flags.namespace.flatMap((n) => n.split(',')).filter(Boolean),
          workers,
          bindAddress: flags.bindAddress,
          metricsPort: port(flags.metricsPort, '--metrics-port'),
          healthPort: port(flags.healthPort, '--health-port'),
          leaderElect: flags.leaderElect,
          ...(flags.leaderElectionNamespace ? { leaderElectionNamespace: flags.leaderElectionNamespace } : {}),
          leaseName: flags.leaseName,
          ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
          ...(flags.prometheusUrl ? { prometheusUrl: flags.prometheusUrl } : {}),
          ...(signalDiscoveryGraceMs !== undefined ? { signalDiscoveryGraceMs } : {}),
          changeRetentionMs,
          logLevel: flags.logLevel as LevelWithSilent,
          ...(flags.controllerNamespace ? { controllerNamespace: flags.controllerNamespace } : {}),
          // A shard reconciles its Rollouts only: admission, which reads every Rollout, is the unsharded instance's.
          ...(flags.webhook && flags.shard === undefined
            ? {
                webhook: {
                  port: port(flags.webhookPort, '--webhook-port'),
                  host: flags.webhookHost,
                  ...(flags.controllerNamespace ? { namespace: flags.controllerNamespace } : {}),
                  ...(flags.webhookService ? { serviceName: flags.webhookService } : {}),
                  ...(flags.webhookConfigurationName ? { configurationName: flags.webhookConfigurationName } : {}),
                  ...(flags.webhookOwnerClusterrole ? { ownerClusterRole: flags.webhookOwnerClusterrole } : {}),
                  ...(webhookWorkers > 1 ? { workers: webhookWorkers } : {}),
                },
              }
            : {}),
        },
        logger,
      );
      logger.info({ healthPort: running.healthPort, metricsPort: running.metricsPort }, 'serving health and metrics');
      // One plain line whatever the log level, so scripts and supervisors can find the ports.
      process.stderr.write(
        `clairvoyance: healthz on port ${running.healthPort}, metrics on port ${running.metricsPort}` +
          `${running.webhookPort !== undefined ? `, webhook on port ${running.webhookPort}` : ''}\n`,
      );
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) {
          // A second Ctrl-C: the user wants out now (the webhook unregisters first, so by then it is gone).
          logger.warn({ signal }, 'second signal: exiting without waiting for in-flight work');
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing in-flight work, releasing the lease');
        running.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}
