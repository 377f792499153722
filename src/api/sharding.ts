// Horizontal scale: Rollouts are split into shards by a label, each shard led by its own
// Lease, so N controllers each reconcile a disjoint part. The instance without a shard
// reconciles the unlabelled Rollouts and runs the cluster-wide duties (Change retention,
// policy audit), which need exactly one writer.
import { SHARD_LABEL } from './labels.js';

/** A label value (RFC 1123-ish, as the API server checks it): 1-63 alphanumerics, '-', '_', '.'. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Why `name` cannot be a shard, or undefined when it can. */
export function shardNameProblem(name: string): string | undefined {
  if (LABEL_VALUE.test(name)) return undefined;
  return (
    `"${name}" is not a valid ${SHARD_LABEL} label value: use 1-63 letters, digits, '-', '_' or '.', ` +
    'starting and ending with a letter or digit (e.g. shard-1)'
  );
}

/** The Rollouts a controller reconciles: its shard's, or the unlabelled ones. */
export function shardSelector(shard: string | undefined): string {
  return shard === undefined ? `!${SHARD_LABEL}` : `${SHARD_LABEL}=${shard}`;
}

/** Each shard campaigns on its own Lease, so one leader per shard. */
export function shardLeaseName(leaseName: string, shard: string | undefined): string {
  return shard === undefined ? leaseName : `${leaseName}-${shard}`;
}

/**
 * Whether the controller of `shard` (undefined: the unsharded one) reconciles `obj`. A
 * shard's informer already selects its label; the unsharded instance caches every Rollout,
 * since the webhook it serves reads them all, and reconciles the unlabelled ones.
 */
export function inShard(shard: string | undefined, obj: { metadata?: { labels?: Record<string, string> } }): boolean {
  return shardOf(obj) === shard;
}

/** The shard a Rollout belongs to (undefined: the unsharded instance's). */
export function shardOf(obj: { metadata?: { labels?: Record<string, string> } }): string | undefined {
  return obj.metadata?.labels?.[SHARD_LABEL];
}
