// A Deployment and the Rollout that governs it, applied to the real API server.
import { AppsV1Api, CustomObjectsApi, type V1ReplicaSet } from '@kubernetes/client-node';
import { GROUP, VERSION, type RolloutStatus } from '../../../src/api/index.js';
import { runCommand, type CommandResult } from '../../../dev/tools/command.js';
import { eventually, kubeConfig, kubeconfigPath, kubectl } from '../../support/cluster.js';

export async function applyCrds(): Promise<void> {
  const res = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'manifests/crds/']);
  if (res.code !== 0) throw new Error(`applying CRDs failed: ${res.stderr}`);
  await eventually('Rollout CRD served', async () => ((await kubectl(['get', 'rollouts.clairvoyance.dev', '-A'])).code === 0 ? true : undefined));
}

export async function createApp(
  namespace: string,
  name: string,
  steps: unknown[],
  extra: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): Promise<void> {
  const apps = kubeConfig().makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
      },
    },
  });
  await createResource(
    namespace,
    'Rollout',
    name,
    { replicas: 4, workloadRef: { kind: 'Deployment', name }, strategy: { canary: { steps } }, ...extra },
    labels,
  );
}

/** Creates a custom resource of the API in a namespace (Rollout, AnalysisTemplate, ContextPolicy). */
export async function createResource(
  namespace: string,
  kind: 'Rollout' | 'AnalysisTemplate' | 'ContextPolicy',
  name: string,
  spec: unknown,
  labels: Record<string, string> = {},
): Promise<void> {
  const plural = { Rollout: 'rollouts', AnalysisTemplate: 'analysistemplates', ContextPolicy: 'contextpolicies' }[kind];
  await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, labels }, spec },
    });
}

export async function setImage(namespace: string, name: string, image: string): Promise<void> {
  const res = await kubectl(['set', 'image', `deployment/${name}`, `app=${image}`, '-n', namespace]);
  if (res.code !== 0) throw new Error(res.stderr);
}

export async function rolloutStatus(namespace: string, name: string): Promise<RolloutStatus> {
  const obj = (await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'rollouts', name })) as { status?: RolloutStatus };
  return obj.status ?? {};
}

export async function waitForStatus(
  namespace: string,
  name: string,
  what: string,
  predicate: (s: RolloutStatus) => boolean,
  timeoutMs = 60_000,
): Promise<RolloutStatus> {
  return eventually(
    what,
    async () => {
      const s = await rolloutStatus(namespace, name);
      return predicate(s) ? s : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Replica counts by revision label, from the ReplicaSets the Rollout owns. */
export async function replicasByRevision(namespace: string, name: string): Promise<Record<string, { replicas: number; ready: number }>> {
  const list = await kubeConfig()
    .makeApiClient(AppsV1Api)
    .listNamespacedReplicaSet({ namespace, labelSelector: `clairvoyance.dev/rollout=${name}` });
  const out: Record<string, { replicas: number; ready: number }> = {};
  for (const rs of list.items as V1ReplicaSet[]) {
    const rev = rs.metadata?.labels?.['clairvoyance.dev/revision'];
    if (rev) out[rev] = { replicas: rs.spec?.replicas ?? 0, ready: rs.status?.readyReplicas ?? 0 };
  }
  return out;
}

/** Runs the real `clairvoyance` CLI against the test cluster. */
export function cli(args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--kubeconfig', kubeconfigPath()]);
}
