// Wiring only: builds the controller from its parts and runs it under leader election.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { V1Secret } from '@kubernetes/client-node';
import { GatewayApiRouter, gatewayRouterClients } from './traffic/gateway-api/gateway-router.js';
import { RouterFactory } from './traffic/router.js';
import { loadClusterAccess } from './kube/cluster-access.js';
import type { KubeConfigLike } from './kube/rest.js';
import { ResourceClient } from './kube/resource-client.js';
import { CORE_SECRETS } from './kube/resource.js';
import type { LevelWithSilent } from 'pino';
import { ProviderFactory } from './analysis/index.js';
import { EngineAnalysisRunner } from './controller/analysis-runner.js';
import { SecretCredentialSource } from './controller/secret-credentials.js';
import { PlanExecutor, workloadApi } from './controller/execute-plan.js';
import { createInformers, rolloutKeysFor, type ControllerInformers } from './controller/informers.js';
import { RolloutReconciler } from './controller/rollout-reconciler.js';
import { CachedPolicySource } from './controller/cached-policy-source.js';
import { WEBHOOK_WORKER_ENTRY } from './controller/webhook-worker.js';
import { ChangeLedger, recordInBackground } from './controller/change-ledger.js';
import { ChangeSweeper } from './controller/change-sweeper.js';
import { inShard, shardLeaseName, shardSelector } from './api/sharding.js';
import type { RolloutObject } from './api/objects.js';
import { cachedLedgerParser } from './ledger/parse.js';
import { GateChain } from './rollout/seams.js';
import { FlagGateEvaluator, KubeFlagStores, StoreFlagDriver } from './flags/index.js';
import { PolicyGateEvaluator } from './gates/index.js';
import { clusterRoleAsOwner, startWebhook, type RunningWebhook, type WebhookOwner } from './webhook/index.js';
import { errorMessage } from './kube/errors.js';
import { KubeEventRecorder, LeaderElector, StaleGuard, StatusWriter, WorkQueue, runController, type SharedInformer } from './kube/index.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { createLogger, type Logger } from './telemetry/logger.js';
import { ControllerMetrics } from './telemetry/metrics.js';
import { startHealthServer, startMetricsServer, type ListeningServer } from './telemetry/http-servers.js';
import { startTracingFromEnv } from './telemetry/start-tracing.js';

export interface RunOptions {
  kubeconfig?: string;
  namespaces: string[];
  workers: number;
  bindAddress: string;
  metricsPort: number;
  healthPort: number;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaseName: string;
  /**
   * Reconcile only the Rollouts labelled clairvoyance.dev/shard=<shard>, leading the Lease
   * `<leaseName>-<shard>`. Absent: the unlabelled Rollouts, plus the cluster-wide duties.
   */
  shard?: string;
  prometheusUrl?: string;
  /** How long absent observability signals are provisional after an analysis starts (default 2m). */
  signalDiscoveryGraceMs?: number;
  /** How long a Change is kept after its last event (default 90 days). */
  changeRetentionMs?: number;
  logLevel: LevelWithSilent;
  /** Holds the webhook's TLS Secret and the Secrets ClusterAnalysisTemplates name. Default: own namespace. */
  controllerNamespace?: string;
  /** The admission webhook; absent: not served. */
  webhook?: WebhookRunOptions;
}

export interface WebhookRunOptions {
  port: number;
  host: string;
  /** The controller's namespace: holds the TLS Secret and is never gated. Default: own namespace. */
  namespace?: string;
  /** In cluster: the Service in front of the webhook; out of cluster the loopback URL is registered. */
  serviceName?: string;
  configurationName?: string;
  /** The ClusterRole that owns the configurations, so deleting the install removes them. */
  ownerClusterRole?: string;
  /** Event loops serving admission (node:cluster workers with their own policy caches); default 1, this one. */
  workers?: number;
}

export interface RunningClairvoyance {
  healthPort: number;
  metricsPort: number;
  webhookPort?: number;
  metrics: ControllerMetrics;
  isLeader(): boolean;
  stop(): Promise<void>;
}

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function ownNamespace(): string {
  return existsSync(SA_NAMESPACE_FILE) ? readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() : 'default';
}

export async function startClairvoyance(opts: RunOptions, rootLogger: Logger = createLogger(opts.logLevel)): Promise<RunningClairvoyance> {
  // A shard's caches hold its own Rollouts only, and admission reads every Rollout.
  if (opts.shard !== undefined && opts.webhook) throw new Error(`shard "${opts.shard}" cannot serve the webhook: the unsharded instance serves admission`);
  const logger = opts.shard === undefined ? rootLogger : rootLogger.child({ shard: opts.shard });
  const tracing = await startTracingFromEnv();
  const kc = await loadClusterAccess(opts.kubeconfig);
  const metrics = new ControllerMetrics();
  const kubeLog = logger.child({ subsystem: 'kube' });
  const informers = createInformers(kc, {
    namespaces: opts.namespaces,
    logger: kubeLog,
    observer: { restart: (resource, reason) => metrics.informerRestarts.inc({ resource, reason }) },
    // A shard caches its own Rollouts; the unsharded instance caches all of them (its
    // webhook reads every Rollout) and reconciles the unlabelled ones (`owns`).
    ...(opts.shard !== undefined ? { rolloutSelector: shardSelector(opts.shard) } : {}),
  });
  const guard = new StaleGuard({ logger: kubeLog });
  guard.attach(informers.rollouts);
  const flagStores = new KubeFlagStores(kc);
  const routers = new RouterFactory(new GatewayApiRouter(gatewayRouterClients(kc), metrics));
  const executor = new PlanExecutor(workloadApi(kc), new StoreFlagDriver(flagStores), metrics, routers);
  const policySource = new CachedPolicySource(informers, logger.child({ subsystem: 'gates' }));
  const templates = {
    analysisTemplate: (ns: string, name: string) => informers.analysisTemplates.get(ns, name)?.spec,
    clusterAnalysisTemplate: (name: string) => informers.clusterAnalysisTemplates.get(undefined, name)?.spec,
  };
  const providers = new ProviderFactory(opts.prometheusUrl ? { defaultPrometheusAddress: opts.prometheusUrl } : {});
  const ledger = new ChangeLedger(kc, {
    cache: informers.changes,
    logger: logger.child({ subsystem: 'ledger' }),
    onWrite: (verb) => metrics.apiWrites.inc({ verb, resource: verb === 'patch' ? 'changes/status' : 'changes' }),
  });
  const sweeper = new ChangeSweeper({
    cache: informers.changes,
    ledger,
    retentionMs: opts.changeRetentionMs ?? 90 * 86_400_000,
    logger: logger.child({ subsystem: 'ledger' }),
  });
  const owns = (r: RolloutObject): boolean => inShard(opts.shard, r);
  const reconciler = new RolloutReconciler({
    owns,
    ledger,
    routers,
    caches: informers,
    statusWriter: new StatusWriter(kc, { guard, fieldManager: 'clairvoyance-controller' }),
    guard,
    // Which shard wrote an Event shows in it, as it does in the audit log.
    events: new KubeEventRecorder(kc, { logger: kubeLog, ...(opts.shard !== undefined ? { instance: `${hostname()}/shard-${opts.shard}` } : {}) }),
    executor,
    gates: new GateChain([new PolicyGateEvaluator(policySource), new FlagGateEvaluator(flagStores)]),
    analysis: new EngineAnalysisRunner(
      templates,
      providers,
      metrics,
      opts.signalDiscoveryGraceMs !== undefined ? { discoveryGraceMs: opts.signalDiscoveryGraceMs } : {},
      {
        source: new SecretCredentialSource(ResourceClient.of<V1Secret>(kc, CORE_SECRETS)),
        controllerNamespace: opts.controllerNamespace ?? opts.webhook?.namespace ?? ownNamespace(),
      },
    ),
    metrics,
    logger,
  });
  metrics.phaseCounts = () => {
    const counts: Record<string, number> = {};
    for (const r of informers.rollouts.list()) {
      if (!owns(r)) continue;
      const phase = r.status?.phase ?? 'Unknown';
      counts[phase] = (counts[phase] ?? 0) + 1;
    }
    return counts;
  };
  let leading = !opts.leaderElect;
  // Change retention and the policy audit need one writer across shards: the unsharded instance.
  const clusterDuties = opts.shard === undefined;
  const ledgerChanges = cachedLedgerParser();
  metrics.ledgerChanges = () => (leading && informers.changes.hasSynced() ? ledgerChanges(informers.changes.list()) : undefined);
  for (const informer of allInformers(informers)) informer.start();

  let running: ReturnType<typeof runController> | undefined;
  let synced = false;
  let currentQueue: WorkQueue | undefined;
  const startReconciling = (): void => {
    const queue = new WorkQueue({ observer: { depth: (d: number) => metrics.queueDepth.set(d) } });
    currentQueue = queue;
    running = runController({
      name: 'rollouts',
      informers: { rollouts: informers.rollouts, deployments: informers.deployments, replicaSets: informers.replicaSets },
      queue,
      reconciler,
      workers: opts.workers,
      enqueueFor: rolloutKeysFor(informers, owns),
      logger: kubeLog,
      hooks: {
        reconcileDuration: (ms, outcome) => metrics.reconcileDuration.observe({ outcome }, ms / 1000),
        queueDepth: (d) => metrics.queueDepth.set(d),
      },
    });
    void running.started.then((ok) => (synced = ok));
    if (clusterDuties) sweeper.start();
  };
  const stopReconciling = async (drain: boolean): Promise<void> => {
    const r = running;
    running = undefined;
    // A follower's old queue is not its work: liveness looks at the leader's queue only.
    currentQueue = undefined;
    await sweeper.stop();
    if (r) await r.stop({ drain });
  };

  const servers: ListeningServer[] = [];
  // Ready only once everything a Service would send here answers: behind the chart's
  // Service, a replica whose webhook is not listening yet would refuse the API server.
  let webhookServing = !opts.webhook;
  servers.push(
    await startHealthServer(opts.bindAddress, opts.healthPort, {
      live: () => liveness(allInformers(informers), currentQueue),
      ready: () => webhookServing && allInformers(informers).every((i) => i.hasSynced()),
    }),
  );
  let webhook: RunningWebhook | undefined;
  // With --webhook-workers, /metrics adds what the workers counted.
  servers.push(await startMetricsServer(opts.bindAddress, opts.metricsPort, metrics.registry, () => webhook?.workerMetrics?.() ?? Promise.resolve([])));
  if (opts.webhook) {
    // The webhook answers from the same caches, so it waits for them once.
    await Promise.all(allInformers(informers).map((i) => waitForSync(i)));
    const owner = opts.webhook.ownerClusterRole ? await clusterRoleOwner(kc, opts.webhook.ownerClusterRole, logger) : undefined;
    webhook = await startWebhook({
      ...(owner ? { owner } : {}),
      // Started on the leader below: the audit writes policy status, one writer at a time.
      auditIntervalMs: 0,
      kubeConfig: kc,
      port: opts.webhook.port,
      host: opts.webhook.host,
      namespace: opts.webhook.namespace ?? ownNamespace(),
      source: policySource,
      recordChanges: (namespace, entries) => recordInBackground(ledger, logger, namespace, entries),
      logger: logger.child({ subsystem: 'webhook' }),
      registry: metrics.registry,
      ...(opts.webhook.serviceName ? { inCluster: { serviceName: opts.webhook.serviceName } } : {}),
      ...(opts.webhook.configurationName ? { configurationName: opts.webhook.configurationName } : {}),
      // A controller watching some namespaces holds policies for those alone, so only they call it.
      ...(opts.namespaces.length > 0 ? { namespaceRequirements: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: opts.namespaces }] } : {}),
      ...(opts.webhook.workers !== undefined
        ? {
            workers: {
              count: opts.webhook.workers,
              entry: WEBHOOK_WORKER_ENTRY,
              config: { ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), namespaces: opts.namespaces, logLevel: opts.logLevel },
            },
          }
        : {}),
    });
    webhookServing = true;
  }

  let elector: LeaderElector | undefined;
  let shuttingDown = false;
  if (opts.leaderElect) {
    elector = new LeaderElector(kc, {
      namespace: opts.leaderElectionNamespace ?? ownNamespace(),
      name: shardLeaseName(opts.leaseName, opts.shard),
      logger: kubeLog,
    });
    const campaign = async (): Promise<void> => {
      while (!shuttingDown) {
        await elector!.run({
          onStartedLeading: () => {
            metrics.isLeader.set(1);
            leading = true;
            logger.info('became leader; reconciling');
            startReconciling();
            if (clusterDuties) webhook?.startAudit();
          },
          onStoppedLeading: () => {
            metrics.isLeader.set(0);
            leading = false;
            logger.warn('stopped leading; reconciling stops now');
            void stopReconciling(false);
            void webhook?.stopAudit();
          },
        });
      }
    };
    void campaign();
  } else {
    metrics.isLeader.set(1);
    startReconciling();
    if (clusterDuties) webhook?.startAudit();
  }
  logger.info(
    {
      namespaces: opts.namespaces.length ? opts.namespaces : 'all',
      workers: opts.workers,
      leaderElect: opts.leaderElect,
      rollouts: shardSelector(opts.shard),
    },
    'clairvoyance started',
  );

  return {
    healthPort: servers[0]!.port,
    ...(webhook ? { webhookPort: webhook.port } : {}),
    metricsPort: servers[1]!.port,
    metrics,
    isLeader: () => (elector ? elector.isLeader() : true) && synced,
    async stop() {
      shuttingDown = true;
      // Out of cluster nothing answers the registered URL once this process is gone, so
      // the webhook unregisters first; in cluster it serves until the end of the drain.
      const outOfCluster = opts.webhook !== undefined && opts.webhook.serviceName === undefined;
      if (outOfCluster) await webhook?.close();
      // Finish in-flight reconciles, then hand the lease over at once.
      await stopReconciling(true);
      await elector?.release();
      if (!outOfCluster) await webhook?.close();
      await Promise.all(allInformers(informers).map((i) => i.stop()));
      await Promise.all(servers.map((s) => s.close()));
      providers.close();
      await tracing?.shutdown();
      logger.info('clairvoyance stopped');
    },
  };
}

/** Without the owner reference the configurations outlive an uninstall; the gate itself still works. */
async function clusterRoleOwner(kc: KubeConfigLike, name: string, logger: Logger): Promise<WebhookOwner | undefined> {
  try {
    return await clusterRoleAsOwner(kc, name);
  } catch (err) {
    logger.warn(
      { err: errorMessage(err), clusterRole: name },
      `--webhook-owner-clusterrole: cannot read ClusterRole "${name}"; the webhook configurations will not be removed when it is deleted`,
    );
    return undefined;
  }
}

/** A watch the watchdog could not revive for this long, or a queue stuck this long, means a restart helps. */
const WEDGED_INFORMER_MS = 5 * 60_000;
const WEDGED_QUEUE_MS = 5 * 60_000;

/** Live unless an informer has seen nothing (not even a bookmark) or ready work has waited for minutes. */
function liveness(informers: SharedInformer<KubernetesObject>[], queue: WorkQueue | undefined): boolean {
  const informersAlive = informers.every((i) => i.msSinceActivity() < WEDGED_INFORMER_MS);
  return informersAlive && (queue?.msWithoutProgress() ?? 0) < WEDGED_QUEUE_MS;
}

function allInformers(i: ControllerInformers): SharedInformer<KubernetesObject>[] {
  return Object.values(i) as SharedInformer<KubernetesObject>[];
}

async function waitForSync(informer: SharedInformer<KubernetesObject>): Promise<void> {
  while (!informer.hasSynced()) await new Promise((r) => setTimeout(r, 50));
}
