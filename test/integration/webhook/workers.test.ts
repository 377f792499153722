// `clairvoyance run --webhook-workers 2`: the API server's calls are answered by two
// node:cluster workers; denials still reach the change ledger through the primary, the
// primary's /metrics shows what the workers counted, and a worker that dies is replaced.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { deleteWebhookConfigurations } from '../../../src/webhook/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION, type ChangeStatus } from '../../../src/api/index.js';
import { changeNameForId } from '../../../src/ledger/key.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { loopbackWebhookArgs, startController, type ControllerProcess } from '../../support/controller.js';
import { waitForStatus } from '../controller/fixtures.js';

const RUN = randomBytes(3).toString('hex');
const CONFIG = `clairvoyance-workers-${RUN}`;
const CHANGE_ID = `CHG-${RUN}/shop`;
const ns = useTestNamespace('wh-workers');
const controllerNs = useTestNamespace('wh-workers-ctl');
const kc = kubeConfig();
let controller: ControllerProcess | undefined;

const apply = (doc: unknown) => kubectl(['apply', '-f', '-'], { input: JSON.stringify(doc) });

function deployment(image: string, team: boolean) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop', namespace: ns.name, labels: { app: 'shop', ...(team ? { team: 'payments' } : {}) } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' }, annotations: team ? {} : { 'clairvoyance.dev/change-id': CHANGE_ID } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

/** Pids of the controller's webhook workers (its node:cluster children). */
function workerPids(): number[] {
  const pid = controller!.proc.pid!;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

beforeAll(async () => {
  expect((await kubectl(['label', 'namespace', ns.name, 'clairvoyance.dev/gated=true', '--overwrite'])).code).toBe(0);
  const policy = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'ContextPolicy',
    metadata: { name: 'owners', namespace: ns.name },
    spec: { enforcement: 'Enforce', rules: [{ id: 'owner-label', rationale: 'an unowned service paged nobody', ownership: { labels: ['team'] } }] },
  };
  expect((await apply(policy)).code).toBe(0);
  controller = startController(ns.name, [...loopbackWebhookArgs(CONFIG, controllerNs.name), '--no-leader-elect', '--webhook-workers', '2']);
  await controller.ready;
});

afterAll(async () => {
  await controller?.kill('SIGTERM');
  await deleteWebhookConfigurations(kc, CONFIG).catch(() => undefined);
});

async function deniedChange(): Promise<ChangeStatus | undefined> {
  try {
    const c = (await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: 'changes', name: changeNameForId(CHANGE_ID) })) as {
      status?: ChangeStatus;
    };
    return c.status;
  } catch {
    return undefined;
  }
}

describe('admission from webhook workers', () => {
  it('denies from a worker, records the denial through the primary and counts it on the primary /metrics', async () => {
    expect(workerPids()).toHaveLength(2);
    expect((await apply(deployment('registry.example/shop:1', true))).code).toBe(0);
    const rollout = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Rollout',
      metadata: { name: 'shop', namespace: ns.name },
      spec: { replicas: 1, workloadRef: { kind: 'Deployment', name: 'shop' }, strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } },
    };
    expect((await apply(rollout)).code).toBe(0);
    await waitForStatus(ns.name, 'shop', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);

    const denied = await apply(deployment('registry.example/shop:2', false));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('owner-label');
    const status = await eventually('denial recorded', async () => ((await deniedChange())?.denials === 1 ? true : undefined), { timeoutMs: 30_000 });
    expect(status).toBe(true);

    const metrics = await controller!.metrics();
    expect(metrics).toMatch(/clairvoyance_webhook_denials_total\{rule="owner-label"\} 1/);
    expect(metrics).toMatch(/clairvoyance_admission_reviews_total\{operation="UPDATE",allowed="false"\} 1/);
    expect(metrics).toMatch(/clairvoyance_admission_duration_seconds_count\{endpoint="validate-deployments"\} [1-9]/);
  });

  it('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const [victim, survivor] = workerPids();
    process.kill(victim!, 'SIGKILL');
    const denied = await apply(deployment('registry.example/shop:3', false));
    expect(denied.stderr).toContain('owner-label');
    const replaced = await eventually(
      'a new worker',
      async () => {
        const pids = workerPids();
        return pids.length === 2 && !pids.includes(victim!) && pids.includes(survivor!) ? pids : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(replaced).toHaveLength(2);
    expect(controller!.logs()).toContain('webhook worker exited; starting another');
  });
});
