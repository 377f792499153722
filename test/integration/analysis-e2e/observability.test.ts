// The observability gate through the real controller: a canary that serves but
// emits no telemetry is rolled back once the discovery grace period is over,
// and the reason names the missing signal, not a generic failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestNamespace } from '../../support/cluster.js';
import { startController, type ControllerProcess } from '../../support/controller.js';
import { useStandIns } from '../../support/stand-ins.js';
import { rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { describeStatus, startCanary, waitForReplicas } from './scenario.js';
import { analysisStep, createTemplates, TEMPLATE } from './templates.js';

const GRACE_SECONDS = 8;
const ns = useTestNamespace('ae-signals');
const standIns = useStandIns();
let controller: ControllerProcess;

beforeAll(async () => {
  await createTemplates(ns.name);
  controller = startController(ns.name, ['--no-leader-elect', '--signal-discovery-grace', `${GRACE_SECONDS}s`]);
  await controller.ready;
});
afterAll(async () => {
  await controller?.kill('SIGTERM');
});

const steps = [{ setWeight: 50 }, analysisStep(TEMPLATE.observability), analysisStep(TEMPLATE.errorRate)];

async function degraded(name: string): Promise<Awaited<ReturnType<typeof rolloutStatus>>> {
  return waitForStatus(ns.name, name, 'rollback', (st) => st.phase === 'Degraded', 60_000).catch(async (err: unknown) => {
    throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, name))}`);
  });
}

describe('observability gate', () => {
  it('rolls back a canary that emits no telemetry, naming the missing signals', async () => {
    const s = await startCanary(ns.name, 'ae-silent', { steps, canary: { telemetry: [] }, startStandIn: standIns.start });
    const st = await degraded(s.name);
    expect(st.reason).toBe('AnalysisFailed');
    // All three telemetry signals are missing: the run ends on whichever failed first
    // (their measurements race under load), and the message names that one.
    const named =
      /^analysis at step 1 failed: metric "(requests|logs|traces)" failed: .*signal \1 missing: the canary emits no (request|log|trace) telemetry \(no series for /.exec(
        st.message ?? '',
      );
    expect(named, st.message).not.toBeNull();
    const signal = named?.[1] ?? '';
    const run = st.analysisRuns?.find((r) => r.stepIndex === 1);
    // It is scraped (the process is up), so only the telemetry signals are missing, and
    // none of them passed. Whether `scraped` reached its count first depends on when
    // Prometheus discovered the target.
    const scraped = run?.metrics.find((m) => m.name === 'scraped');
    expect(scraped?.failed).toBe(0);
    expect(['Successful', 'Running']).toContain(scraped?.phase);
    for (const name of ['requests', 'logs', 'traces']) expect(run?.metrics.find((m) => m.name === name)?.successful, name).toBe(0);
    // Not failed before the grace period: the first measurements were provisional.
    const failing = run?.metrics.find((m) => m.name === signal);
    expect(failing?.measurements[0]?.message).toMatch(/within the \d+s discovery grace period/);
    const failedAt = Date.parse(failing?.measurements.at(-1)?.startedAt ?? '');
    expect(failedAt - Date.parse(run?.startedAt ?? '')).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(st.cycle?.promotedAt).toBeUndefined();
    await waitForReplicas(s, { stable: 4, canary: 0 });
  });

  it('names the one signal that is missing when the rest are there', async () => {
    const s = await startCanary(ns.name, 'ae-untraced', { steps, canary: { telemetry: ['requests', 'logs'] }, startStandIn: standIns.start });
    const st = await degraded(s.name);
    expect(st.reason).toBe('AnalysisFailed');
    expect(st.message).toMatch(/^analysis at step 1 failed: metric "traces" failed: .*signal traces missing: the canary emits no trace telemetry/);
    expect(st.message).not.toContain('"requests"');
    await waitForReplicas(s, { stable: 4, canary: 0 });
  });
});
