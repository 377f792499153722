// The ledger writer against the real API server: concurrent writers (webhook replicas and
// the leader) lose none of each other's events, and a repeat changes nothing.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GROUP, VERSION, type ChangeStatus } from '../../../src/api/index.js';
import { ChangeLedger } from '../../../src/controller/change-ledger.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { kubeConfig, useTestNamespace } from '../../support/cluster.js';

const ns = useTestNamespace('ledger-writer');
const kc = kubeConfig();

const read = async (name: string): Promise<ChangeStatus | undefined> =>
  (
    (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: 'changes', name })) as {
      status?: ChangeStatus;
    }
  ).status;

describe('ChangeLedger', () => {
  it('three writers, 30 denials at once: all counted; the same events again change nothing', async () => {
    const writers = [0, 1, 2].map(() => new ChangeLedger(kc, { logger: silentLogger }));
    const change = { name: 'racy', spec: { rollout: 'shop', changeId: 'CHG-racy', origin: 'human' as const } };
    const at = (i: number): string => new Date(Date.UTC(2026, 2, 1, 10, 0, i)).toISOString();
    const denial = (i: number) => ({ change, event: { type: 'Denied' as const, at: at(i), rules: [`r${i}`] } });
    await Promise.all(Array.from({ length: 30 }, (_, i) => writers[i % 3]!.record(ns.name, [denial(i)])));
    const s = await read('racy');
    expect(s?.denials).toBe(30);
    expect(s?.timeline).toHaveLength(30);
    expect(s?.firstAppliedAt).toBe(at(0));

    await writers[0]!.record(ns.name, [denial(3), denial(7)]);
    expect((await read('racy'))?.denials).toBe(30);
    // An event for a Change that does not exist and must not be created is dropped.
    await writers[1]!.record(ns.name, [{ change: { name: 'absent', spec: { rollout: 'shop' }, mustExist: true }, event: { type: 'Stable', at: at(1) } }]);
    await expect(read('absent')).rejects.toThrow();
  });
});
