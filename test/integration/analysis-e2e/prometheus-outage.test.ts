// Missing evidence is never promoted: the Prometheus the controller asks is
// stopped in the middle of an analysis, the rollout pauses as inconclusive
// and stays there, and it carries on by itself once Prometheus is back. A
// private Prometheus is used so the stack's shared one is never stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestNamespace } from '../../support/cluster.js';
import { startController, type ControllerProcess } from '../../support/controller.js';
import { startPrometheusInstance, type PrometheusInstance } from '../../support/prometheus-instance.js';
import { useStandIns } from '../../support/stand-ins.js';
import { rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { describeStatus, startCanary, waitForReplicas } from './scenario.js';
import { analysisStep, createTemplate, errorRateMetric, TEMPLATE } from './templates.js';

const ns = useTestNamespace('ae-outage');
const standIns = useStandIns();
let prometheus: PrometheusInstance;
let controller: ControllerProcess;

beforeAll(async () => {
  // Long enough that the outage lands mid-run: 8 measurements, 2 s apart.
  await createTemplate(ns.name, TEMPLATE.errorRate, { metrics: [errorRateMetric({ count: 8 })] });
  prometheus = await startPrometheusInstance('ae-outage');
  // The last --prometheus-url wins: this one replaces the stack's default.
  controller = startController(ns.name, ['--no-leader-elect', '--prometheus-url', prometheus.url]);
  await controller.ready;
});
afterAll(async () => {
  await controller?.kill('SIGTERM');
  await prometheus?.remove();
});

describe('Prometheus stopped mid-analysis', () => {
  it('pauses as inconclusive, never promotes on missing evidence, and resumes once Prometheus is back', async () => {
    const s = await startCanary(ns.name, 'ae-outage', {
      steps: [{ setWeight: 50 }, analysisStep(TEMPLATE.errorRate)],
      targetDirs: [prometheus.targetsDir],
      startStandIn: standIns.start,
    });
    const running = await waitForStatus(
      ns.name,
      s.name,
      'two successful measurements',
      (st) => {
        const m = st.analysisRuns?.find((r) => r.stepIndex === 1)?.metrics[0];
        return (m?.successful ?? 0) >= 2;
      },
      60_000,
    );
    expect(running.phase).toBe('Progressing');

    await prometheus.stop();
    const paused = await waitForStatus(ns.name, s.name, 'inconclusive pause', (st) => st.phase === 'Paused', 30_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}`);
    });
    expect(paused.reason).toBe('AnalysisInconclusive');
    expect(paused.message).toMatch(/^analysis at step 1 inconclusive: metric "error-rate" was inconclusive: .*unreachable: /);
    expect(paused.weights).toEqual({ canary: 50, stable: 50 });

    // Long enough for the controller to retry the analysis at least once (every 10 s) while Prometheus is down.
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      const st = await rolloutStatus(ns.name, s.name);
      expect(st.phase, describeStatus(st)).toBe('Paused');
      expect(st.stableRevision).toBe(s.stableRevision);
      expect(st.cycle?.promotedAt).toBeUndefined();
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitForReplicas(s, { stable: 2, canary: 2 });

    await prometheus.start();
    const healthy = await waitForStatus(
      ns.name,
      s.name,
      'promotion after Prometheus is back',
      (st) => st.phase === 'Healthy' && st.stableRevision === s.canaryRevision,
      60_000,
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}`);
    });
    expect(healthy.reason).toBe('Promoted');
    expect(healthy.analysisRuns?.find((r) => r.stepIndex === 1)?.phase).toBe('Successful');
    await waitForReplicas(s, { stable: 0, canary: 4 });
  });
});
