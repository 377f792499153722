import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/cli/commands/status.js';
import type { RolloutObject } from '../../../src/api/objects.js';

const rollout = (conditions: NonNullable<RolloutObject['status']>['conditions']): RolloutObject => ({
  apiVersion: 'clairvoyance.dev/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { strategy: { canary: { steps: [{ setWeight: 5 }] } } },
  status: { phase: 'Paused', reason: 'RouteNotAccepted', weights: { canary: 0, stable: 100 }, ...(conditions ? { conditions } : {}) },
});

describe('clairvoyance status', () => {
  it("shows the Gateway's verdict on the routes when the Rollout routes through one", () => {
    const text = renderStatus(
      rollout([
        {
          type: 'TrafficRouted',
          status: 'False',
          reason: 'RouteNotAccepted',
          message: 'HTTPRoute web not accepted: ResolvedRefs=False (BackendNotFound)',
          lastTransitionTime: '2026-12-01T00:00:00Z',
        },
      ]),
    );
    expect(text).toContain('Traffic:   NOT routed (RouteNotAccepted): HTTPRoute web not accepted: ResolvedRefs=False (BackendNotFound)');
  });

  it('has no traffic line with the replicas router', () => {
    expect(renderStatus(rollout(undefined))).not.toContain('Traffic:');
  });
});
