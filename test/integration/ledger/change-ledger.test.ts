// Issue acceptance on the real control plane: one change-id denied at apply twice (a
// dry run in between), admitted, rolled back in canary, fixed in a second revision,
// promoted and stable after a short window. Its Change is checked against timestamps
// this test records itself.
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { deleteWebhookConfigurations } from '../../../src/webhook/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION, type ChangeSpec, type ChangeStatus } from '../../../src/api/index.js';
import { changeNameForId } from '../../../src/ledger/key.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { loopbackWebhookArgs, startController, type ControllerProcess } from '../../support/controller.js';
import { cli, waitForStatus } from '../controller/fixtures.js';

const RUN = randomBytes(3).toString('hex');
const CONFIG = `clairvoyance-ledger-${RUN}`;
const ns = useTestNamespace('ledger');
const controllerNs = useTestNamespace('ledger-ctl');
const kc = kubeConfig();
const CHANGE_ID = `CHG-${RUN}/checkout`;
const PROMPTED = new Date(Date.now() - 120_000).toISOString();

let controller: ControllerProcess | undefined;

const policy = {
  apiVersion: 'clairvoyance.dev/v1alpha1',
  kind: 'ContextPolicy',
  metadata: { name: 'owners', namespace: ns.name },
  spec: {
    enforcement: 'Enforce',
    rules: [{ id: 'owner-label', rationale: 'INC-2231: an unowned service paged nobody.', ownership: { labels: ['team'] } }],
  },
};

function deployment(image: string, opts: { team?: boolean; changeId?: boolean; name?: string; annotations?: Record<string, string> } = {}) {
  const name = opts.name ?? 'shop';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns.name, labels: { app: name, ...(opts.team === false ? {} : { team: 'payments' }) } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          annotations:
            opts.annotations ??
            (opts.changeId
              ? { 'clairvoyance.dev/change-id': CHANGE_ID, 'clairvoyance.dev/origin': 'ai-generated', 'clairvoyance.dev/prompted-at': PROMPTED }
              : {}),
        },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

const apply = (doc: unknown, extra: string[] = []) => kubectl(['apply', ...extra, '-f', '-'], { input: JSON.stringify(doc) });

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; before: number; after: number }> {
  const before = Date.now();
  const value = await fn();
  return { value, before, after: Date.now() };
}

async function change(name = changeNameForId(CHANGE_ID)): Promise<{ spec: ChangeSpec; status?: ChangeStatus } | undefined> {
  try {
    return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: 'changes',
      name,
    })) as { spec: ChangeSpec; status?: ChangeStatus };
  } catch {
    return undefined;
  }
}

let lastSeen: ChangeStatus | undefined;
const waitForChange = (what: string, predicate: (s: ChangeStatus) => boolean, timeoutMs = 30_000, name?: string) =>
  eventually(
    what,
    async () => {
      const c = await change(name);
      lastSeen = c?.status;
      return c?.status && predicate(c.status) ? c : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((err: unknown) => {
    // What the controller said about its Change writes, to tell a lost write from a slow one.
    const said = (controller?.logs() ?? '')
      .split('\n')
      .filter((l) => /ledger|Change|denial/.test(l))
      .slice(-20);
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last Change status ${JSON.stringify(lastSeen)}; controller:\n${said.join('\n')}`);
  });

function rolloutFor(name: string, stabilityWindow: string) {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace: ns.name },
    spec: {
      replicas: 2,
      workloadRef: { kind: 'Deployment', name },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
      rollback: { scaleDownDelaySeconds: 0 },
      stabilityWindow,
    },
  };
}

beforeAll(async () => {
  expect((await kubectl(['label', 'namespace', ns.name, 'clairvoyance.dev/gated=true', '--overwrite'])).code).toBe(0);
  expect((await apply(policy)).code).toBe(0);
  controller = startController(ns.name, [...loopbackWebhookArgs(CONFIG, controllerNs.name), '--no-leader-elect']);
  await controller.ready;
});

afterAll(async () => {
  await controller?.kill('SIGTERM');
  await deleteWebhookConfigurations(kc, CONFIG).catch(() => undefined);
});

describe('the change ledger', () => {
  it('follows one change through two denials, a rollback, a fix and promotion to stable', async () => {
    // The webhook registers itself once the controller is up; wait until it denies.
    await eventually('webhook registered', async () => ((await kubectl(['get', 'validatingwebhookconfiguration', CONFIG])).code === 0 ? true : undefined));
    expect((await apply(deployment('registry.example/shop:1'))).code).toBe(0);
    expect((await apply(rolloutFor('shop', '3s'))).code).toBe(0);
    await waitForStatus(ns.name, 'shop', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);

    const denied1 = await timed(() => apply(deployment('registry.example/shop:2', { team: false, changeId: true })));
    expect(denied1.value.code).not.toBe(0);
    expect(denied1.value.stderr).toContain('owner-label');
    const dryRun = await apply(deployment('registry.example/shop:2', { team: false, changeId: true }), ['--dry-run=server']);
    expect(dryRun.code).not.toBe(0);
    const denied2 = await timed(() => apply(deployment('registry.example/shop:3', { team: false, changeId: true })));
    expect(denied2.value.code).not.toBe(0);
    await waitForChange('two denials recorded', (s) => s.denials === 2);

    const admitted1 = await timed(() => apply(deployment('registry.example/shop:3', { changeId: true })));
    expect(admitted1.value.code, admitted1.value.stderr).toBe(0);
    const first = await waitForStatus(ns.name, 'shop', 'first attempt at its pause', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    const abort = await timed(() => cli(['abort', 'shop', '-n', ns.name, '-m', 'checkout errors']));
    expect(abort.value.code, abort.value.stderr).toBe(0);
    const degraded = await waitForStatus(ns.name, 'shop', 'rolled back', (s) => s.phase === 'Degraded');
    const rolledBackAt = Date.parse(degraded.cycle!.rolledBackAt!);

    const admitted2 = await timed(() => apply(deployment('registry.example/shop:4', { changeId: true })));
    expect(admitted2.value.code, admitted2.value.stderr).toBe(0);
    const second = await waitForStatus(
      ns.name,
      'shop',
      'second attempt at its pause',
      (s) => s.phase === 'Paused' && s.canaryRevision !== first.canaryRevision,
    );
    const promote = await timed(() => cli(['promote', 'shop', '-n', ns.name]));
    expect(promote.value.code, promote.value.stderr).toBe(0);
    const healthy = await waitForStatus(ns.name, 'shop', 'promoted', (s) => s.phase === 'Healthy' && s.stableRevision === second.canaryRevision);
    const promotedAt = Date.parse(healthy.cycle!.promotedAt!);

    const stable = await waitForChange('stable after its window', (s) => s.state === 'Stable', 20_000);
    const s = stable.status!;
    expect(stable.spec).toMatchObject({ rollout: 'shop', changeId: CHANGE_ID, origin: 'ai-generated', stabilityWindow: '3s' });
    expect(s).toMatchObject({ attempts: 2, denials: 2, canaries: 2, canaryRollbacks: 1, escapedFailures: 0, startedAt: PROMPTED });
    const t = (x: string | undefined): number => Date.parse(x!);
    // Each timestamp lies between the moments this test saw around the action.
    expect(t(s.firstAppliedAt)).toBeGreaterThanOrEqual(denied1.before - 1000);
    expect(t(s.firstAppliedAt)).toBeLessThanOrEqual(denied1.after + 1000);
    expect(t(s.admittedAt)).toBeGreaterThanOrEqual(admitted1.before - 1000);
    expect(t(s.admittedAt)).toBeLessThanOrEqual(admitted1.after + 1000);
    expect(t(s.promotedAt)).toBe(promotedAt);
    expect(t(s.stableAt) - promotedAt).toBe(3000);
    const f = s.figures;
    expect(f.leadTimeSeconds).toBeCloseTo((promotedAt - t(PROMPTED)) / 1000, 3);
    expect(f.beforeAdmissionSeconds).toBeCloseTo((t(s.admittedAt) - t(PROMPTED)) / 1000, 3);
    const rework = f.reworkSeconds!;
    expect(rework * 1000).toBeGreaterThanOrEqual(admitted2.before - rolledBackAt - 1000);
    expect(rework * 1000).toBeLessThanOrEqual(admitted2.after - rolledBackAt + 1000);
    expect(f.canarySeconds! * 1000).toBeGreaterThanOrEqual(abort.before - admitted1.after - 1000 + (promote.before - admitted2.after) - 1000);
    const stages = f.beforeAdmissionSeconds! + f.gatesSeconds! + f.canarySeconds! + rework;
    expect(stages).toBeCloseTo(f.leadTimeSeconds!, 3);
    expect(s.timeline.map((e) => e.type)).toEqual([
      'Prompted',
      'Denied',
      'Denied',
      'Admitted',
      'GatesPassed',
      'RolledBack',
      'Admitted',
      'GatesPassed',
      'Promoted',
      'Stable',
    ]);
    expect(s.timeline.find((e) => e.type === 'Denied')?.rules).toEqual(['owner-label']);
    expect(s.timeline.find((e) => e.type === 'RolledBack')?.reason).toBe('Aborted');

    // The leader exports the figures from the Change itself.
    const text = await controller!.metrics();
    expect(text).toMatch(/clairvoyance_ledger_changes\{origin="ai-generated",state="Stable"\} 1/);
    expect(text).toMatch(/clairvoyance_ledger_deployments\{origin="ai-generated",window="30d"\} 1/);
    expect(text).toMatch(/clairvoyance_ledger_change_failure_rate\{origin="ai-generated",kind="canary",window="30d"\} 0\.5/);
  });

  it('a promoted change reverted inside its window is an escaped failure, restored when the old revision is promoted again', async () => {
    const ai = { 'clairvoyance.dev/change-id': `CHG-${RUN}-cart`, 'clairvoyance.dev/origin': 'ai-generated' };
    expect((await apply(deployment('registry.example/cart:1', { name: 'cart' }))).code).toBe(0);
    expect((await apply(rolloutFor('cart', '10m'))).code).toBe(0);
    const adopted = await waitForStatus(ns.name, 'cart', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);

    expect((await apply(deployment('registry.example/cart:2', { name: 'cart', annotations: ai }))).code).toBe(0);
    await waitForStatus(ns.name, 'cart', 'the change at its pause', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    expect((await cli(['promote', 'cart', '-n', ns.name])).code).toBe(0);
    await waitForStatus(ns.name, 'cart', 'promoted', (s) => s.phase === 'Healthy' && s.stableRevision !== adopted.stableRevision);
    const name = changeNameForId(ai['clairvoyance.dev/change-id']);
    await waitForChange('promoted', (s) => s.state === 'Promoted', 10_000, name);

    // The old template again: the Rollout goes back to an earlier revision.
    const revert = await timed(() => apply(deployment('registry.example/cart:1', { name: 'cart' })));
    expect(revert.value.code, revert.value.stderr).toBe(0);
    const failed = await waitForChange('escaped failure', (s) => s.state === 'Failed', 10_000, name);
    expect(failed.status).toMatchObject({ escapedFailures: 1, failure: { kind: 'Reverted', by: adopted.stableRevision } });
    await waitForStatus(ns.name, 'cart', 'the restoring revision at its pause', (s) => s.phase === 'Paused' && s.canaryRevision === adopted.stableRevision);
    const promote = await timed(() => cli(['promote', 'cart', '-n', ns.name]));
    const healthy = await waitForStatus(ns.name, 'cart', 'restored', (s) => s.phase === 'Healthy' && s.stableRevision === adopted.stableRevision);
    const restored = await waitForChange('restored', (s) => s.restoredAt !== undefined, 10_000, name);
    const r = restored.status!;
    expect(Date.parse(r.restoredAt!)).toBe(Date.parse(healthy.cycle!.promotedAt!));
    expect(r.figures.timeToRestoreSeconds! * 1000).toBeGreaterThanOrEqual(promote.before - revert.after - 1000);
    expect(r.figures.timeToRestoreSeconds).toBeCloseTo((Date.parse(r.restoredAt!) - Date.parse(r.failedAt!)) / 1000, 3);
    expect(r.figures.leadTimeSeconds).toBeUndefined();

    const text = await controller!.metrics();
    expect(text).toMatch(/clairvoyance_ledger_changes\{origin="ai-generated",state="Failed"\} 1/);
    expect(text).toMatch(/clairvoyance_ledger_recovery_time_seconds\{origin="ai-generated",quantile="0.5",window="30d"\} \d/);

    const explained = await cli(['explain', `change/${ai['clairvoyance.dev/change-id']}`, '-n', ns.name]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('is Failed: origin ai-generated, Rollout cart');
    expect(explained.stdout).toMatch(/escaped failure: Reverted/);
    expect(explained.stdout).toMatch(/Promoted[\s\S]*Reverted[\s\S]*Restored/);

    // Both changes side by side: the one that reached stable and the one that escaped.
    const csv = await cli(['report', '-n', ns.name, '-o', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const row = Object.fromEntries(
      csv.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(','))
        .map((cells, _i, all) => [cells[0], Object.fromEntries(all[0]!.map((h, j) => [h, cells[j]]))]),
    ) as Record<string, Record<string, string>>;
    expect(row['ai-generated']).toMatchObject({ changes: '2', deployments: '2', leadTimeCount: '1', escapedFailureRate: '0.5', recoveryCount: '1' });
    expect(row.unannotated).toMatchObject({ deployments: '1' });
    const table = await cli(['report', '-n', ns.name]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(`Changes by origin, last 30d (namespace ${ns.name})`);
    expect(table.stdout.trim().split('\n').at(-1)).toBe('In the last 30d no hand-written change reached stable, so there is nothing to compare yet.');
  });

  it('undo returns a promoted change to the revision before it without the canary steps, checked by the Enforce rules', async () => {
    const ai = { 'clairvoyance.dev/change-id': `CHG-${RUN}-till`, 'clairvoyance.dev/origin': 'ai-generated' };
    expect((await apply(deployment('registry.example/till:1', { name: 'till' }))).code).toBe(0);
    const rollout = rolloutFor('till', '10m');
    expect((await apply({ ...rollout, spec: { ...rollout.spec, rollback: { scaleDownDelaySeconds: 0, window: '10m' } } })).code).toBe(0);
    const adopted = await waitForStatus(ns.name, 'till', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);
    expect((await apply(deployment('registry.example/till:2', { name: 'till', annotations: ai }))).code).toBe(0);
    await waitForStatus(ns.name, 'till', 'the change at its pause', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    expect((await cli(['promote', 'till', '-n', ns.name])).code).toBe(0);
    await waitForStatus(ns.name, 'till', 'promoted', (s) => s.phase === 'Healthy' && s.stableRevision !== adopted.stableRevision);
    const name = changeNameForId(ai['clairvoyance.dev/change-id']);
    await waitForChange('promoted', (s) => s.state === 'Promoted', 10_000, name);

    // The restoring template meets the Enforce rules as every change does: refused while a rule forbids it.
    const forbid = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'ContextPolicy',
      metadata: { name: 'no-till-v1', namespace: ns.name },
      spec: {
        enforcement: 'Enforce',
        rules: [
          {
            id: 'till-v1-withdrawn',
            rationale: 'till:1 was withdrawn (a CVE in its base image).',
            cel: { expression: "!object.spec.template.spec.containers.exists(c, c.image == 'registry.example/till:1')", message: 'till:1 is withdrawn' },
          },
        ],
      },
    };
    expect((await apply(forbid)).code).toBe(0);
    const refused = await cli(['undo', 'till', '-n', ns.name]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('till-v1-withdrawn');
    expect((await kubectl(['delete', 'contextpolicy', 'no-till-v1', '-n', ns.name])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1_000));

    const phases = new Set<string>();
    const undo = await timed(() => cli(['undo', 'till', '-n', ns.name]));
    expect(undo.value.code, undo.value.stderr).toBe(0);
    expect(undo.value.stdout).toContain(`set back to revision ${adopted.stableRevision}`);
    const restored = await waitForStatus(ns.name, 'till', 'restored', (s) => {
      if (s.phase) phases.add(`${s.phase}/${s.reason ?? ''}`);
      return s.phase === 'Healthy' && s.stableRevision === adopted.stableRevision;
    });
    // No pause, no step: gates (Enforce rules), then promotion.
    expect([...phases].filter((p) => p.startsWith('Paused'))).toEqual([]);
    const last = restored.history!.at(-1)!;
    expect(last).toMatchObject({ revision: adopted.stableRevision, outcome: 'Promoted' });
    expect(last.analyses).toBeUndefined();
    expect(restored.findings).toEqual([]);

    const failed = await waitForChange('escaped and restored', (s) => s.restoredAt !== undefined, 10_000, name);
    expect(failed.status).toMatchObject({ state: 'Failed', escapedFailures: 1, failure: { kind: 'Reverted', by: adopted.stableRevision } });
    expect(Date.parse(failed.status!.restoredAt!)).toBe(Date.parse(restored.cycle!.promotedAt!));
    expect(failed.status!.figures.timeToRestoreSeconds! * 1000).toBeLessThan(Date.now() - undo.before);
  });
});
