import { beforeAll, describe, expect, it } from 'vitest';
import { useTestNamespace } from '../../support/cluster.js';
import { dryRunApply, installCrds } from './crds.js';
import { kubectl } from '../../support/cluster.js';

const ns = useTestNamespace('api-reject');

beforeAll(installCrds);

function rollout(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'r' },
    spec: { workloadRef: { kind: 'Deployment', name: 'web' }, strategy: { canary: { steps: [{ setWeight: 10 }] } }, ...spec },
  };
}

const canary = (steps: unknown[]) => ({ strategy: { canary: { steps } } });

function doc(kind: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'clairvoyance.dev/v1alpha1', kind, metadata: { name: 'x' }, spec };
}

describe('the API server rejects invalid documents, naming the field', () => {
  it.each([
    ['setWeight: 150', rollout(canary([{ setWeight: 150 }])), /spec\.strategy\.canary\.steps\[0\]\.setWeight/],
    ['an unknown step kind', rollout(canary([{ setWieght: 10 }])), /spec\.strategy\.canary\.steps\[0\]\.setWieght/],
    [
      'a step with two kinds',
      rollout(canary([{ setWeight: 10, pause: {} }])),
      /spec\.strategy\.canary\.steps\[0\].*exactly one of setWeight, pause, analysis, setFlag, setCanaryScale or setHeaderRoute/,
    ],
    ['no workloadRef', rollout({ workloadRef: undefined }), /spec\.workloadRef: Required value/],
    ['a bad duration', rollout(canary([{ pause: { duration: '5 minutes' } }])), /spec\.strategy\.canary\.steps\[0\]\.pause\.duration/],
    ['a bad maxSurge', rollout({ strategy: { canary: { maxSurge: 'lots' } } }), /spec\.strategy\.canary\.maxSurge/],
    [
      'a flag with two sources',
      rollout({ flag: { key: 'k', source: { configMap: { name: 'a' }, featureFlag: { name: 'b' } } } }),
      /spec\.flag\.source.*exactly one of configMap or featureFlag/,
    ],
    [
      'a metric with two providers',
      doc('AnalysisTemplate', { metrics: [{ name: 'm', provider: { signal: { kind: 'scraped' }, prometheus: { query: 'up' } } }] }),
      /spec\.metrics\[0\]\.provider/,
    ],
    [
      'duplicate metric names',
      doc('AnalysisTemplate', {
        metrics: [
          { name: 'm', provider: { signal: { kind: 'scraped' } } },
          { name: 'm', provider: { signal: { kind: 'traces' } } },
        ],
      }),
      /spec\.metrics.*duplicate/,
    ],
    [
      'a rule with two kinds',
      doc('ContextPolicy', { rules: [{ id: 'a', rationale: 'r', ownership: { labels: ['team'] }, contract: {} }] }),
      /spec\.rules\[0\].*exactly one of ownership/,
    ],
    [
      'a rule without rationale',
      doc('ContextPolicy', { rules: [{ id: 'a', ownership: { labels: ['team'] } }] }),
      /spec\.rules\[0\]\.rationale: Required value/,
    ],
    [
      'namespaceSelector on a ContextPolicy',
      doc('ContextPolicy', { match: { namespaceSelector: {} }, rules: [{ id: 'a', rationale: 'r', ownership: {} }] }),
      /spec\.match\.namespaceSelector/,
    ],
  ])('%s', async (_name, obj, message) => {
    const res = await dryRunApply(ns.name, obj);
    expect(res.code, 'expected the API server to reject the document').not.toBe(0);
    expect(res.stderr).toMatch(message);
  });

  it('an unknown step kind is rejected even when unknown fields are only pruned', async () => {
    const res = await kubectl(['create', '--dry-run=server', '--validate=false', '-n', ns.name, '-f', '-'], {
      input: JSON.stringify(rollout(canary([{ setWieght: 10 }]))),
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/spec\.strategy\.canary\.steps\[0\].*exactly one of setWeight/);
  });
});
