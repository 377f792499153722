import { CoordinationV1Api, CustomObjectsApi, type V1Lease } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../api/group.js';
import { SHARD_LABEL } from '../../api/labels.js';
import { shardLeaseName, shardOf } from '../../api/sharding.js';
import { isNotFound } from '../../kube/errors.js';
import { fail, pass, type Check, type CheckResult } from '../check.js';

const GROUP_NAME = 'Controller';

/** Whose Rollouts a Lease stands for, so a ✗ says what stops moving. */
interface LeaseScope {
  shard?: string;
  rollouts?: number;
}

/** The verdict on one Lease: held, and renewed within its duration. Pure, for one moment `nowMs`. */
export function leaseVerdict(where: string, lease: V1Lease | undefined, scope: LeaseScope, nowMs: number): CheckResult {
  const whose =
    scope.shard === undefined ? 'no Rollout is reconciled' : `the ${scope.rollouts ?? 0} Rollout(s) labelled ${SHARD_LABEL}=${scope.shard} are not reconciled`;
  const start = scope.shard === undefined ? 'start the controller (clairvoyance run, or the chart)' : `start a controller with --shard ${scope.shard}`;
  if (!lease) {
    return fail(
      GROUP_NAME,
      `no ${where}: no controller has ever led here, so ${whose}`,
      `${start}; pass --controller-namespace/--lease-name if it uses others`,
    );
  }
  const holder = lease.spec?.holderIdentity;
  const renew = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const durationS = lease.spec?.leaseDurationSeconds ?? 15;
  if (!holder)
    return fail(GROUP_NAME, `${where} is released: no replica leads, so ${whose}`, `${start}, or check why its replicas do not campaign (their logs)`);
  const ageS = renew ? (nowMs - new Date(renew).getTime()) / 1000 : Infinity;
  if (ageS > durationS) {
    return fail(
      GROUP_NAME,
      `${where} is held by ${holder} but was last renewed ${Number.isFinite(ageS) ? `${ageS.toFixed(0)} s ago` : 'never'} (duration ${durationS} s): the leader is gone or frozen, so ${whose}`,
      'restart the controller; another replica takes over once the lease expires',
    );
  }
  const of = scope.shard === undefined ? '' : ` for shard ${scope.shard} (${scope.rollouts ?? 0} Rollouts)`;
  return pass(GROUP_NAME, `${where}${of} held by ${holder}, renewed ${Math.max(0, ageS).toFixed(1)} s ago (duration ${durationS} s)`);
}

/** Rollouts per shard label value, cluster-wide. */
export function countShards(rollouts: readonly { metadata?: { labels?: Record<string, string> } }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rollouts) {
    const shard = shardOf(r);
    if (shard !== undefined) counts.set(shard, (counts.get(shard) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** The unsharded Lease, and the Lease of every shard a Rollout is labelled with. */
export const leaderCheck: Check = async ({ kc, controllerNamespace, leaseName }) => {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const read = async (name: string): Promise<V1Lease | undefined> => {
    try {
      return await leases.readNamespacedLease({ name, namespace: controllerNamespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const results = [leaseVerdict(`Lease ${controllerNamespace}/${leaseName}`, await read(leaseName), {}, Date.now())];
  const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: 'rollouts',
    labelSelector: SHARD_LABEL,
  })) as { items?: { metadata?: { labels?: Record<string, string> } }[] };
  for (const [shard, rollouts] of countShards(list.items ?? [])) {
    const name = shardLeaseName(leaseName, shard);
    results.push(leaseVerdict(`Lease ${controllerNamespace}/${name}`, await read(name), { shard, rollouts }, Date.now()));
  }
  return results;
};
