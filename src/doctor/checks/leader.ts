import { CoordinationV1Api } from '@kubernetes/client-node';
import { isNotFound } from '../../kube/errors.js';
import { fail, pass, type Check } from '../check.js';

const GROUP_NAME = 'Controller';

/** A replica holds the leader Lease and has renewed it within its duration. */
export const leaderCheck: Check = async ({ kc, controllerNamespace, leaseName }) => {
  const where = `Lease ${controllerNamespace}/${leaseName}`;
  let lease;
  try {
    lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace: controllerNamespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return [
      fail(
        GROUP_NAME,
        `no ${where}: no controller has ever led here, so no Rollout is reconciled`,
        'start the controller (clairvoyance run, or the chart); pass --controller-namespace/--lease-name if it uses others',
      ),
    ];
  }
  const holder = lease.spec?.holderIdentity;
  const renew = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const durationS = lease.spec?.leaseDurationSeconds ?? 15;
  if (!holder)
    return [fail(GROUP_NAME, `${where} is released: no replica leads`, 'start the controller, or check why its replicas do not campaign (their logs)')];
  const ageS = renew ? (Date.now() - new Date(renew).getTime()) / 1000 : Infinity;
  if (ageS > durationS) {
    return [
      fail(
        GROUP_NAME,
        `${where} is held by ${holder} but was last renewed ${Number.isFinite(ageS) ? `${ageS.toFixed(0)} s ago` : 'never'} (duration ${durationS} s): the leader is gone or frozen`,
        'restart the controller; another replica takes over once the lease expires',
      ),
    ];
  }
  return [pass(GROUP_NAME, `${where} held by ${holder}, renewed ${Math.max(0, ageS).toFixed(1)} s ago (duration ${durationS} s)`)];
};
