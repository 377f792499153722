// "Freeze, don't roll back": with rollback.automatic false a failed analysis pauses the
// rollout with the failure as reason and the canary held where it is, through the real
// controller, stand-ins and Prometheus; then `clairvoyance retry` and `abort` act.
import { describe, expect, it } from 'vitest';
import { useTestNamespace } from '../../support/cluster.js';
import { useStandIns } from '../../support/stand-ins.js';
import { cli, rolloutStatus, waitForStatus } from '../controller/fixtures.js';
import { describeStatus, startCanary, useAnalysisController, waitForReplicas } from './scenario.js';
import { analysisStep, TEMPLATE } from './templates.js';

const ns = useTestNamespace('ae-freeze');
const standIns = useStandIns();
useAnalysisController(ns);

describe('rollback.automatic: false', () => {
  it('freezes a failing canary at its weight; retry runs it again, abort rolls it back', async () => {
    const s = await startCanary(ns.name, 'ae-frozen', {
      steps: [{ setWeight: 50 }, analysisStep(TEMPLATE.errorRate)],
      spec: { rollback: { automatic: false, scaleDownDelaySeconds: 0 } },
      canary: { errorRate: 0.2 },
      startStandIn: standIns.start,
    });
    const frozen = await waitForStatus(ns.name, s.name, 'frozen', (st) => st.phase === 'Paused' && st.reason === 'AnalysisFailed', 90_000).catch(
      async (err: unknown) => {
        throw new Error(`${String(err)}; last status ${describeStatus(await rolloutStatus(ns.name, s.name))}`);
      },
    );
    expect(frozen.message).toContain('frozen (rollback.automatic: false) with the canary held at 50%');
    expect(frozen.weights).toEqual({ canary: 50, stable: 50 });
    // Held, not rolled back: a few seconds later the canary still has its pods.
    await new Promise((r) => setTimeout(r, 3_000));
    await waitForReplicas(s, { stable: 2, canary: 2 });
    expect((await rolloutStatus(ns.name, s.name)).phase).toBe('Paused');

    expect((await cli(['retry', s.name, '-n', ns.name])).code).toBe(0);
    const again = await waitForStatus(
      ns.name,
      s.name,
      'frozen again',
      (st) =>
        st.phase === 'Paused' &&
        st.reason === 'AnalysisFailed' &&
        Date.parse(st.analysisRuns?.[0]?.startedAt ?? '0') > Date.parse(frozen.analysisRuns?.[0]?.startedAt ?? '0'),
      60_000,
    );
    expect(again.canaryRevision).toBe(s.canaryRevision);

    expect((await cli(['abort', s.name, '-n', ns.name, '-m', 'migration verified by hand: roll back'])).code).toBe(0);
    const degraded = await waitForStatus(ns.name, s.name, 'rolled back by abort', (st) => st.phase === 'Degraded', 30_000);
    expect(degraded.reason).toBe('Aborted');
    await waitForReplicas(s, { stable: 4, canary: 0 });
  });
});
