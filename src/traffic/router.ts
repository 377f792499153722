// Traffic routers behind one small interface, chosen per Rollout by its spec: the
// replicas router needs none (its weight is the pod arithmetic the core does itself),
// the Gateway API router reads and writes routes.
import type { RolloutSpec } from '../api/index.js';
import type { RolloutIdentity } from '../rollout/seams.js';
import type { TrafficTarget, TrafficView } from '../rollout/traffic.js';

export interface RouterTarget {
  rollout: RolloutIdentity;
  spec: RolloutSpec;
  /** Aborted once the lease is lost: no write starts after that. */
  signal?: AbortSignal;
}

export interface TrafficRouter {
  /** What the data plane carries now: route weights, header routes, acceptance, Services. */
  verify(target: RouterTarget): Promise<TrafficView>;
  /** Puts weights and header routes in place; writes only what differs. */
  apply(target: RouterTarget, desired: TrafficTarget): Promise<void>;
}

/** Picks the router a Rollout's spec asks for; undefined means the replicas router. */
export class RouterFactory {
  constructor(private readonly gatewayAPI: TrafficRouter) {}

  for(spec: RolloutSpec): TrafficRouter | undefined {
    return spec.strategy.canary.traffic.gatewayAPI ? this.gatewayAPI : undefined;
  }
}
