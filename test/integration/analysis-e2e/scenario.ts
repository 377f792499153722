// One canary scenario end to end: a Deployment and its Rollout, a stand-in
// process per revision (scraped with the revision's hash), and the change that
// starts the canary. The stand-ins start as soon as each hash is known, as pods
// of that revision would.
import { beforeAll } from 'vitest';
import type { RolloutStatus } from '../../../src/api/index.js';
import { useController, type ControllerProcess } from '../../support/controller.js';
import type { StandInProcess, StandInSpec } from '../../support/stand-ins.js';
import { createApp, replicasByRevision, setImage, waitForStatus } from '../controller/fixtures.js';
import { createTemplates } from './templates.js';

/** The scenario templates, then a controller for one file's namespace with a short signal grace. */
export function useAnalysisController(namespace: { name: string }): { get(): ControllerProcess } {
  beforeAll(() => createTemplates(namespace.name));
  return useController(namespace.name, ['--no-leader-elect', '--signal-discovery-grace', '10s']);
}

export type Behaviour = Omit<StandInSpec, 'revision' | 'namespace' | 'targetDirs'>;

export interface CanaryScenario {
  namespace: string;
  name: string;
  stableRevision: string;
  canaryRevision: string;
  stable: StandInProcess;
  canary: StandInProcess;
}

export interface ScenarioOptions {
  steps: unknown[];
  /** Extra Rollout spec (background analysis, deadlines). */
  spec?: Record<string, unknown>;
  stable?: Behaviour;
  canary?: Behaviour;
  /** Where stand-ins register as scrape targets; default the stack Prometheus's. */
  targetDirs?: string[];
  /** Starts (and owns the cleanup of) a stand-in, e.g. `useStandIns().start`. */
  startStandIn(spec: StandInSpec): Promise<StandInProcess>;
}

/** A steady healthy service: 20 ms median, no errors, all telemetry. */
export const HEALTHY: Behaviour = { latencyMs: 20, latencySigma: 0.25, errorRate: 0 };

export async function startCanary(namespace: string, name: string, opts: ScenarioOptions): Promise<CanaryScenario> {
  const dirs = opts.targetDirs ? { targetDirs: opts.targetDirs } : {};
  // Old stable ReplicaSets leave at once, so "stable full, canary 0" is exact.
  await createApp(namespace, name, opts.steps, { rollback: { scaleDownDelaySeconds: 0 }, ...opts.spec });
  const adopted = await waitForStatus(namespace, name, 'adoption', (s) => s.phase === 'Healthy' && s.stableRevision !== undefined);
  const stableRevision = adopted.stableRevision!;
  const stable = await opts.startStandIn({ ...HEALTHY, ...opts.stable, revision: stableRevision, namespace, ...dirs });

  await setImage(namespace, name, `registry.example/${name}:2`);
  const started = await waitForStatus(namespace, name, 'a canary revision', (s) => s.canaryRevision !== undefined && s.canaryRevision !== stableRevision);
  const canaryRevision = started.canaryRevision!;
  const canary = await opts.startStandIn({ ...HEALTHY, ...opts.canary, revision: canaryRevision, namespace, ...dirs });
  return { namespace, name, stableRevision, canaryRevision, stable, canary };
}

/** Waits until the ReplicaSets show the expected replica counts. */
export async function waitForReplicas(s: CanaryScenario, expected: { stable: number; canary: number }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, { replicas: number; ready: number }> = {};
  while (Date.now() < deadline) {
    last = await replicasByRevision(s.namespace, s.name);
    if ((last[s.stableRevision]?.replicas ?? 0) === expected.stable && (last[s.canaryRevision]?.replicas ?? 0) === expected.canary) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`replicas never reached stable=${expected.stable} canary=${expected.canary}: ${JSON.stringify(last)}`);
}

/** A one-line summary of a status for failure messages. */
export function describeStatus(s: RolloutStatus): string {
  return `${s.phase ?? '?'}/${s.reason ?? '?'} step ${s.currentStepIndex ?? '?'}: ${s.message ?? ''}`;
}
