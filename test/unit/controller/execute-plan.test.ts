import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutSpecSchema } from '../../../src/api/index.js';
import { PlanExecutor, type WorkloadApi } from '../../../src/controller/execute-plan.js';
import type { Plan } from '../../../src/rollout/plan.js';
import type { FlagDriver } from '../../../src/rollout/seams.js';
import { ControllerMetrics } from '../../../src/telemetry/metrics.js';

/** Records every write in the order the executor makes it. */
function recorder(): { calls: string[]; apps: WorkloadApi; flags: FlagDriver } {
  const calls: string[] = [];
  const apps = {
    replicaSets: {
      patch: async (_ns: string | undefined, name: string) => void calls.push(`rs:${name}`),
      create: async (_ns: string | undefined, body: { metadata: { name: string } }) => void calls.push(`create:${body.metadata.name}`),
    },
    deployments: {
      patch: async (_ns: string | undefined, name: string, body: { spec: { replicas: number } }) => void calls.push(`deployment:${name}=${body.spec.replicas}`),
    },
  } as unknown as WorkloadApi;
  const flags: FlagDriver = {
    kill: async () => void calls.push('flag:kill'),
    setPercent: async (_t, p) => void calls.push(`flag:${p}`),
    promote: async () => void calls.push('flag:promote'),
  } as FlagDriver;
  return { calls, apps, flags };
}

const spec = rolloutSpecSchema.parse({ replicas: 4, workloadRef: { kind: 'Deployment', name: 'app' }, strategy: { canary: { steps: [] } } });
const deployment: V1Deployment = { metadata: { name: 'app' }, spec: { replicas: 4, selector: {}, template: {} } };
const plan: Plan = {
  status: {},
  actions: [{ type: 'killFlag' }],
  replicaTargets: [
    { revision: 'stable', replicas: 4 },
    { revision: 'canary', replicas: 0 },
  ],
  workloadReplicas: 0,
  events: [],
  ledger: [],
};
const ctx = (signal?: AbortSignal) => ({
  ...(signal ? { signal } : {}),
  rollout: { name: 'app', namespace: 'ns', uid: 'u' },
  spec,
  deployment,
  desiredRevision: 'stable',
  replicaSets: [
    { name: 'app-stable', revision: 'stable', replicas: 3, readyReplicas: 3 },
    { name: 'app-canary', revision: 'canary', replicas: 1, readyReplicas: 1 },
  ],
});

describe('PlanExecutor', () => {
  it('runs effects in an order fixed by their type: flag, then ReplicaSets, then the Deployment', async () => {
    const r = recorder();
    await new PlanExecutor(r.apps, r.flags, new ControllerMetrics()).execute(plan, ctx());
    expect(r.calls).toEqual(['flag:kill', 'rs:app-stable', 'rs:app-canary', 'deployment:app=0']);
  });

  it('executes nothing once the lease is lost (the reconcile signal aborted)', async () => {
    const r = recorder();
    const abort = new AbortController();
    abort.abort();
    await expect(new PlanExecutor(r.apps, r.flags, new ControllerMetrics()).execute(plan, ctx(abort.signal))).rejects.toThrow();
    expect(r.calls).toEqual([]);
  });
});
