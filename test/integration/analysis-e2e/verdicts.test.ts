// Issue acceptance through the real controller: stand-in processes serve each
// revision, the stack's Prometheus scrapes them every second, and the analysis
// steps decide. A healthy canary is promoted; one serving 10% 5xx, and one at
// 3x the stable latency (yet under the absolute ceiling), are rolled back.
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { AnalysisRunStatus } from '../../../src/api/index.js';
import { eventually, kubeConfig, prometheusUrl, useTestNamespace } from '../../support/cluster.js';
import { useStandIns } from '../../support/stand-ins.js';
import { cli, rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { describeStatus, startCanary, useAnalysisController, waitForReplicas } from './scenario.js';
import { analysisStep, TEMPLATE } from './templates.js';

const ns = useTestNamespace('ae-verdicts');
const standIns = useStandIns();
const controller = useAnalysisController(ns);

// The observability gate first (a canary nobody can see cannot be judged),
// then the judgement; the last step done, the canary is promoted.
const steps = [{ setWeight: 50 }, analysisStep(TEMPLATE.observability), analysisStep(TEMPLATE.errorRate, TEMPLATE.latency)];

type MetricStatus = AnalysisRunStatus['metrics'][number];

/** A measurement value as written in status: `0.02`, or `[0.02]` for a one-series vector. */
function valueOf(value: string | undefined): number {
  return Number((value ?? '').replace(/^\[|\]$/g, ''));
}

function metric(runs: AnalysisRunStatus[] | undefined, name: string): MetricStatus | undefined {
  return runs?.flatMap((r) => r.metrics).find((m) => m.name === name);
}

describe('canary analysis through the controller', () => {
  it('promotes a healthy canary once every metric passes', async () => {
    const s = await startCanary(ns.name, 'ae-healthy', { steps, startStandIn: standIns.start });
    const healthy = await waitForStatus(ns.name, s.name, 'promotion', (st) => st.phase === 'Healthy' && st.stableRevision === s.canaryRevision, 90_000).catch(
      async (err: unknown) => {
        throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}\n${controller.get().logs().slice(-2000)}`);
      },
    );
    expect(healthy.reason).toBe('Promoted');
    expect(healthy.cycle?.promotedAt).toBeDefined();
    expect(healthy.cycle?.rolledBackAt).toBeUndefined();
    const runs = healthy.analysisRuns ?? [];
    expect(runs.map((r) => [r.stepIndex, r.phase])).toEqual([
      [1, 'Successful'],
      [2, 'Successful'],
    ]);
    const errors = metric(runs, 'error-rate')!;
    expect(errors.successful).toBe(4);
    expect(errors.measurements.every((m) => valueOf(m.value) < 0.05)).toBe(true);
    for (const name of ['scraped', 'requests', 'logs', 'traces', 'latency-p95-ceiling', 'latency-p50-vs-stable', 'latency-p95-vs-stable']) {
      expect(metric(runs, name)?.phase, name).toBe('Successful');
    }
    await waitForReplicas(s, { stable: 0, canary: 4 });
  });

  it('rolls back a canary serving 10% 5xx, naming the metric and its value', async () => {
    const s = await startCanary(ns.name, 'ae-errors', { steps, canary: { errorRate: 0.1 }, startStandIn: standIns.start });
    const degraded = await waitForStatus(ns.name, s.name, 'rollback', (st) => st.phase === 'Degraded', 90_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}`);
    });
    expect(degraded.reason).toBe('AnalysisFailed');
    expect(degraded.stableRevision).toBe(s.stableRevision);
    const m = /metric "error-rate" failed: .*value (\[?[\d.e-]+\]?) did not meet successCondition "result < 0\.05"/.exec(degraded.message ?? '');
    expect(m, degraded.message).not.toBeNull();
    // 10% injected; the 10 s rate of ~50 req/s lands near it, always well over 5%.
    expect(valueOf(m![1])).toBeGreaterThan(0.05);
    expect(valueOf(m![1])).toBeLessThan(0.25);
    expect(degraded.weights).toEqual({ canary: 0, stable: 100 });
    expect(degraded.cycle?.rolledBackAt).toBeDefined();
    expect(degraded.cycle?.promotedAt).toBeUndefined();
    await waitForReplicas(s, { stable: 4, canary: 0 });

    // Events are recorded in the background, after the status write: wait for it.
    const event = await eventually('the RolledBack Warning event', async () => {
      const events = await kubeConfig()
        .makeApiClient(CoreV1Api)
        .listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.name=${s.name}` });
      return events.items.find((e) => e.reason === 'RolledBack' && e.type === 'Warning');
    });
    expect(event.message).toContain('error-rate');
  });

  it('rolls back a canary at 3x the stable latency through the compare judge, though it is under the absolute ceiling', async () => {
    const s = await startCanary(ns.name, 'ae-slow', { steps, canary: { latencyMs: 60 }, startStandIn: standIns.start });
    const degraded = await waitForStatus(ns.name, s.name, 'rollback', (st) => st.phase === 'Degraded', 90_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}`);
    });
    expect(degraded.reason).toBe('AnalysisFailed');
    expect(degraded.message).toMatch(
      /^analysis at step 2 failed: metric "latency-p(50|95)-vs-stable" failed: critical metric failed: canary median [\d.]+ vs stable median [\d.]+ \(ratio [\d.]+, direction increase.*beyond max ratio 1\.5/,
    );
    const ratio = Number(/\(ratio ([\d.]+)/.exec(degraded.message ?? '')?.[1]);
    expect(ratio).toBeGreaterThan(2);
    // The absolute ceiling alone would have let it through.
    const ceiling = metric(degraded.analysisRuns, 'latency-p95-ceiling')!;
    expect(ceiling.measurements.length).toBeGreaterThan(0);
    expect(ceiling.measurements.every((m) => m.phase === 'Successful')).toBe(true);
    expect(metric(degraded.analysisRuns, 'error-rate')?.phase).not.toBe('Failed');
    await waitForReplicas(s, { stable: 4, canary: 0 });
  });

  // Runs after the three canaries above: their windows are in Rollout status history.
  it('backtest --changes replays each recorded canary with the templates it ran and reaches the live verdicts', async () => {
    const res = await cli([
      'backtest',
      '--changes',
      '-n',
      ns.name,
      '--template',
      TEMPLATE.errorRate,
      '--signal-discovery-grace',
      '10s',
      '--prometheus-url',
      prometheusUrl()!,
      '-o',
      'json',
    ]);
    expect(res.code, `${res.stderr}\n${res.stdout}`).toBe(0);
    const report = JSON.parse(res.stdout) as {
      rows: { rollout: string; outcome: string; actual: { live: string; phase: string }; candidate: { phase: string }; classification: string }[];
    };
    const row = (name: string) => report.rows.find((r) => r.rollout === `${ns.name}/${name}`);
    // The replay of what ran agrees with what the controller decided live.
    expect([row('ae-healthy')?.outcome, row('ae-healthy')?.actual.phase]).toEqual(['Promoted', 'Successful']);
    expect([row('ae-errors')?.outcome, row('ae-errors')?.actual.phase]).toEqual(['RolledBack', 'Failed']);
    expect([row('ae-slow')?.outcome, row('ae-slow')?.actual.phase]).toEqual(['RolledBack', 'Failed']);
    expect(['ae-healthy', 'ae-errors', 'ae-slow'].map((n) => row(n)?.actual.live)).toEqual(['Successful', 'Failed', 'Failed']);
    // The error-rate template alone would have let the slow canary through.
    expect(row('ae-healthy')?.classification).toBe('agrees');
    expect(row('ae-errors')?.classification).toBe('agrees');
    expect(row('ae-slow')?.classification).toBe('miss');
  });
});
