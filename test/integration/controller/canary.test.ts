// Issue acceptance on the real control plane: a canary walks its steps with
// ReplicaSet counts matching each weight, is promoted by the CLI, and abort and
// retry behave as an operator expects.
import { describe, expect, it } from 'vitest';
import { eventually, kubectl, useTestNamespace } from '../../support/cluster.js';
import { useController } from '../../support/controller.js';
import { cli, createApp, replicasByRevision, setImage, waitForStatus } from './fixtures.js';

const ns = useTestNamespace('canary');
const controller = useController(ns.name, ['--no-leader-elect']);

const steps = [{ setWeight: 25 }, { pause: { duration: '5s' } }, { setWeight: 50 }, { pause: {} }];

describe('canary by ReplicaSets', () => {
  it('walks 25% -> pause 5s -> 50% -> pause, then promote finishes it', async () => {
    await createApp(ns.name, 'shop', steps);
    const adopted = await waitForStatus(ns.name, 'shop', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);
    const stable = adopted.stableRevision!;
    // Healthy says which revision serves; its pods become ready as kwok reports them.
    expect(await waitForReplicas(ns.name, 'shop', stable, 'none', 4, 0)).toBe(true);
    await eventually('stable pods ready', async () => ((await replicasByRevision(ns.name, 'shop'))[stable]?.ready === 4 ? true : undefined), {
      timeoutMs: 60_000,
    });

    await setImage(ns.name, 'shop', 'registry.example/app:2');
    const paused = await waitForStatus(ns.name, 'shop', 'the timed pause at 25%', (s) => s.currentStepIndex === 1 && s.phase === 'Paused');
    const canary = paused.canaryRevision!;
    expect(canary).not.toBe(stable);
    expect(paused.pauseStartedAt).toBeDefined();
    let rs = await replicasByRevision(ns.name, 'shop');
    expect(rs[canary]?.replicas).toBe(1);
    expect(rs[stable]?.replicas).toBe(3);

    const waiting = await waitForStatus(
      ns.name,
      'shop',
      'the pause that waits for promote',
      (s) => s.currentStepIndex === 3 && s.reason === 'PausedForPromotion',
      60_000,
    );
    expect(Date.parse(waiting.stepStartedAt!) - Date.parse(paused.pauseStartedAt!)).toBeGreaterThanOrEqual(5_000);
    rs = await replicasByRevision(ns.name, 'shop');
    expect(rs[canary]?.replicas).toBe(2);
    expect(rs[stable]?.replicas).toBe(2);

    const promote = await cli(['promote', 'shop', '-n', ns.name]);
    expect(promote.code, promote.stderr).toBe(0);
    const healthy = await waitForStatus(ns.name, 'shop', 'promotion', (s) => s.phase === 'Healthy' && s.stableRevision === canary);
    expect(healthy.cycle?.promotedAt).toBeDefined();
    rs = await replicasByRevision(ns.name, 'shop');
    expect(rs[canary]?.replicas).toBe(4);
    // The old stable leaves after the scale-down delay (default 30 s), not at once.
    expect(rs[stable]?.replicas).toBeGreaterThan(0);

    const status = await cli(['status', 'shop', '-n', ns.name]);
    expect(status.stdout).toContain('Phase:     Healthy');
  });

  it('abort restores stable fully and sets Degraded; retry restarts the canary', async () => {
    await createApp(ns.name, 'cart', steps, { rollback: { scaleDownDelaySeconds: 0 } });
    const adopted = await waitForStatus(ns.name, 'cart', 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);
    await setImage(ns.name, 'cart', 'registry.example/app:2');
    const paused = await waitForStatus(ns.name, 'cart', 'the canary', (s) => s.currentStepIndex === 1 && s.phase === 'Paused');

    const abort = await cli(['abort', 'cart', '-n', ns.name, '-m', 'latency looks off']);
    expect(abort.code, abort.stderr).toBe(0);
    const degraded = await waitForStatus(ns.name, 'cart', 'Degraded', (s) => s.phase === 'Degraded');
    expect(degraded.reason).toBe('Aborted');
    expect(degraded.message).toContain('latency looks off');
    const rs = await waitForReplicas(ns.name, 'cart', adopted.stableRevision!, paused.canaryRevision!, 4, 0);
    expect(rs).toBe(true);
    const explained = await cli(['explain', 'cart', '-n', ns.name]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('is Degraded (Aborted)');
    expect(explained.stdout).toMatch(/rolledBackAt\s+\d{4}-/);

    const retry = await cli(['retry', 'cart', '-n', ns.name]);
    expect(retry.code, retry.stderr).toBe(0);
    const again = await waitForStatus(ns.name, 'cart', 'the canary again', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    expect(again.canaryRevision).toBe(paused.canaryRevision);
    expect(await waitForReplicas(ns.name, 'cart', adopted.stableRevision!, paused.canaryRevision!, 3, 1)).toBe(true);
  });

  it('scales through the Rollout scale subresource, as an HPA does', async () => {
    await createApp(ns.name, 'scaled', steps);
    const adopted = await waitForStatus(ns.name, 'scaled', 'adoption', (s) => s.phase === 'Healthy' && !!s.stableRevision);
    const scaled = await kubectl(['scale', 'rollouts.clairvoyance.dev/scaled', '--replicas=6', '-n', ns.name]);
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(await waitForReplicas(ns.name, 'scaled', adopted.stableRevision!, 'none', 6, 0)).toBe(true);
    const status = await waitForStatus(ns.name, 'scaled', 'status.replicas 6', (s) => s.replicas === 6);
    expect(status.selector).toBe('app=scaled');
  });

  it('exports reconcile, step and phase metrics', async () => {
    const text = await controller.get().metrics();
    expect(text).toContain('clairvoyance_reconcile_duration_seconds_bucket');
    expect(text).toMatch(/clairvoyance_phase_transitions_total\{phase="Healthy"/);
    expect(text).toMatch(/clairvoyance_change_cycle_seconds_count\{origin="unannotated",outcome="promoted"\} [1-9]/);
    expect(text).toMatch(/clairvoyance_rollouts\{phase="/);
  });
});

async function waitForReplicas(ns: string, name: string, stable: string, canary: string, s: number, c: number): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const rs = await replicasByRevision(ns, name);
    if ((rs[stable]?.replicas ?? 0) === s && (rs[canary]?.replicas ?? 0) === c) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
