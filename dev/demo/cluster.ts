// What the demo does to the cluster, through the stack's kubectl (so every
// change goes through the API server and its admission webhooks, as a user's would).
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type RolloutStatus } from '../../src/api/index.js';
import { runCommand, type CommandResult } from '../tools/command.js';
import type { CheckoutChange } from './checkout.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Cluster {
  private readonly kc = new KubeConfig();

  constructor(
    private readonly kubeconfig: string,
    private readonly kubectlBin: string,
  ) {
    this.kc.loadFromFile(kubeconfig);
  }

  async kubectl(args: string[], input?: string, opts: { expectFailure?: boolean } = {}): Promise<CommandResult> {
    const result = await runCommand(this.kubectlBin, args, { env: { KUBECONFIG: this.kubeconfig }, ...(input !== undefined ? { input } : {}) });
    if (result.code !== 0 && !opts.expectFailure) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  }

  async applyDeployment(change: CheckoutChange, opts: { expectFailure?: boolean } = {}): Promise<CommandResult> {
    const { version: _v, origin: _o, behaviour: _b, ...manifest } = change;
    return this.kubectl(['apply', '-f', '-'], JSON.stringify(manifest), { expectFailure: true }).then((r) => {
      if (r.code !== 0 && !opts.expectFailure) throw new Error(`kubectl apply of checkout ${change.version} failed: ${r.stderr}`);
      return r;
    });
  }

  async recreateNamespace(name: string, labels: Record<string, string>): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name }).catch(() => undefined);
    for (let i = 0; i < 240; i++) {
      try {
        await core.readNamespace({ name });
        await sleep(500);
      } catch {
        break;
      }
    }
    await core.createNamespace({ body: { metadata: { name, labels } } });
  }

  async ensureNamespace(name: string): Promise<void> {
    await this.kc
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name } } })
      .catch(() => undefined);
  }

  /**
   * The API server takes a moment to start calling a new webhook: probe with a
   * server-side dry run of a change the demo policy must deny.
   */
  async waitForWebhook(probe: CheckoutChange): Promise<void> {
    const { version: _v, origin: _o, behaviour: _b, ...manifest } = probe;
    for (let i = 0; i < 60; i++) {
      const r = await this.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(manifest), { expectFailure: true });
      if (r.code !== 0 && r.stderr.includes('denied')) return;
      await sleep(500);
    }
    throw new Error('the admission webhook did not answer within 30 s');
  }

  async rolloutStatus(name: string, namespace = 'demo-shop'): Promise<RolloutStatus> {
    const obj = (await this.kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'rollouts', name })) as { status?: RolloutStatus };
    return obj.status ?? {};
  }

  async waitForRollout(name: string, predicate: (s: RolloutStatus) => boolean, timeoutMs: number): Promise<RolloutStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: RolloutStatus = {};
    while (Date.now() < deadline) {
      try {
        last = await this.rolloutStatus(name);
        if (predicate(last)) return last;
      } catch {
        /* not created yet */
      }
      await sleep(300);
    }
    return last;
  }

  private async flagDocument(configMap: string): Promise<{ flags: Record<string, { defaultVariant?: string | null }> }> {
    const cm = await this.kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: configMap, namespace: 'demo-shop' });
    return JSON.parse(cm.data?.['flags.flagd.json'] ?? '{"flags":{}}') as { flags: Record<string, { defaultVariant?: string | null }> };
  }

  async flagDefault(configMap: string, key: string): Promise<string | undefined> {
    return (await this.flagDocument(configMap)).flags[key]?.defaultVariant ?? undefined;
  }

  /** What a team does after a promotion that turned the flag on, before the next risky change. */
  async setFlagDefault(configMap: string, key: string, variant: string): Promise<void> {
    const doc = await this.flagDocument(configMap);
    const flag = doc.flags[key];
    if (!flag) throw new Error(`flag ${key} not found in ${configMap}`);
    flag.defaultVariant = variant;
    await this.kubectl([
      'create',
      'configmap',
      configMap,
      '-n',
      'demo-shop',
      `--from-literal=flags.flagd.json=${JSON.stringify(doc, null, 2)}`,
      '--dry-run=client',
      '-o',
      'yaml',
    ]).then((r) => this.kubectl(['apply', '-f', '-'], r.stdout));
  }

  async serviceIp(name: string, namespace = 'demo-shop'): Promise<string> {
    const svc = await this.kc.makeApiClient(CoreV1Api).readNamespacedService({ name, namespace });
    if (!svc.spec?.clusterIP) throw new Error(`Service ${namespace}/${name} has no ClusterIP`);
    return svc.spec.clusterIP;
  }

  async deleteWebhookConfigurations(name: string): Promise<void> {
    await this.kubectl(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found'], undefined, { expectFailure: true });
    await this.kubectl(['delete', 'mutatingwebhookconfiguration', name, '--ignore-not-found'], undefined, { expectFailure: true });
  }
}
