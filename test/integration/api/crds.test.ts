import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, useTestNamespace } from '../../support/cluster.js';
import { GROUP, VERSION } from '../../../src/api/index.js';
import { installCrds } from './crds.js';

const ns = useTestNamespace('api-crds');

beforeAll(installCrds);

describe('CRDs on the API server', () => {
  it('are established with their short names and category', async () => {
    const res = await kubectl(['api-resources', '--api-group=clairvoyance.dev', '-o', 'wide']);
    expect(res.code, res.stderr).toBe(0);
    for (const short of ['cvr', 'cvat', 'cvcat', 'cvcp', 'cvccp']) expect(res.stdout).toMatch(new RegExp(`\\b${short}\\b`));
    expect(res.stdout).toContain('clairvoyance');
  });

  it('kubectl explain describes the canary steps', async () => {
    const res = await kubectl(['explain', 'rollout.spec.strategy.canary.steps', `--api-version=${GROUP}/${VERSION}`]);
    expect(res.code, res.stderr).toBe(0);
    // kubectl wraps descriptions at its terminal width.
    expect(res.stdout.replace(/\s+/g, ' ')).toContain('exactly one of setWeight, pause, analysis, setFlag, setCanaryScale or setHeaderRoute');
    for (const field of ['setWeight', 'pause', 'analysis', 'setFlag', 'setCanaryScale', 'setHeaderRoute']) expect(res.stdout).toContain(field);
  });

  it('applies defaults and serves the scale subresource', async () => {
    const rollout = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'defaults' },
      spec: { workloadRef: { kind: 'Deployment', name: 'web' }, strategy: { canary: {} }, flag: { key: 'k', source: { configMap: { name: 'f' } } } },
    };
    const created = await kubectl(['apply', '--server-side', '-n', ns.name, '-o', 'json', '-f', '-'], { input: JSON.stringify(rollout) });
    expect(created.code, created.stderr).toBe(0);
    const spec = (JSON.parse(created.stdout) as { spec: Record<string, unknown> }).spec;
    expect(spec).toMatchObject({
      replicas: 1,
      workloadRef: { apiVersion: 'apps/v1' },
      strategy: { canary: { steps: [], maxSurge: '25%', maxUnavailable: 0, traffic: { replicas: {} } } },
      flag: { offVariant: 'off', onVariant: 'on', onPromotion: 'On', source: { configMap: { key: 'flags.flagd.json' } } },
      progressDeadlineSeconds: 600,
      rollback: { automatic: true, scaleDownDelaySeconds: 30 },
    });
    const scaled = await kubectl(['scale', '-n', ns.name, 'rollouts.clairvoyance.dev/defaults', '--replicas=3']);
    expect(scaled.code, scaled.stderr).toBe(0);
    const replicas = await kubectl(['get', '-n', ns.name, 'rollouts.clairvoyance.dev/defaults', '-o', 'jsonpath={.spec.replicas}']);
    expect(replicas.stdout).toBe('3');
  });

  it('accepts a status written through the status subresource', async () => {
    const status = {
      status: {
        phase: 'Progressing',
        currentStepIndex: 1,
        weights: { canary: 25, stable: 75 },
        canaryRevision: 'abc123',
        selector: 'app=web',
        replicas: 3,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'StepStarted', message: 'step 1', lastTransitionTime: '2026-01-01T00:00:00Z' }],
        analysisRuns: [
          {
            name: 'step-1',
            templates: ['error-rate'],
            stepIndex: 1,
            phase: 'Running',
            startedAt: '2026-01-01T00:00:00Z',
            metrics: [
              {
                name: 'error-rate',
                phase: 'Running',
                count: 1,
                successful: 1,
                failed: 0,
                inconclusive: 0,
                error: 0,
                consecutiveErrors: 0,
                measurements: [{ phase: 'Successful', value: '0.001', startedAt: '2026-01-01T00:00:00Z' }],
              },
            ],
          },
        ],
      },
    };
    const patched = await kubectl([
      'patch',
      '-n',
      ns.name,
      'rollouts.clairvoyance.dev/defaults',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const row = await kubectl(['get', '-n', ns.name, 'rollouts.clairvoyance.dev/defaults', '--no-headers']);
    expect(row.stdout).toMatch(/defaults\s+Progressing\s+1\s+25\s+abc123/);
  });
});
