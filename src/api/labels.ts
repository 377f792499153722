// Labels and annotations the controller writes on the objects it manages: part of the
// API, since queries, the webhook and users select by them.
import { GROUP } from './group.js';

/** On each ReplicaSet and its pods: the pod-template hash of the revision. */
export const REVISION_LABEL = `${GROUP}/revision`;
/** On each ReplicaSet: the Rollout that owns it. */
export const ROLLOUT_LABEL = `${GROUP}/rollout`;
/** On a replaced ReplicaSet: when it is scaled to zero (RFC 3339). */
export const SCALE_DOWN_AT_ANNOTATION = `${GROUP}/scale-down-at`;
/** On the Deployment (stamped at admission): when its newest template was admitted. */
export const ADMITTED_AT_ANNOTATION = `${GROUP}/admitted-at`;
/**
 * On a Rollout: the shard whose controller reconciles it. A controller started with
 * `--shard <name>` reconciles the Rollouts labelled `<name>`; one without `--shard`
 * reconciles those without the label.
 */
export const SHARD_LABEL = `${GROUP}/shard`;
