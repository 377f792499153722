// Routers apply a canary weight to traffic. The replicas router needs no I/O of
// its own (replica counts carry the weight), so its weight is read back from the
// ready pods; Gateway API and mesh routers implement the same two calls.
export interface TrafficRouter {
  /** Applies the weight (0-100) to the canary. */
  setWeight(weight: number): Promise<void>;
  /** The weight traffic actually sees now. */
  getWeight(): Promise<number>;
}

export interface ReadyCounts {
  stableReady: number;
  canaryReady: number;
}

/** Traffic behind a plain Service splits by ready endpoints, so weight is the ready ratio. */
export class ReplicasRouter implements TrafficRouter {
  constructor(private readonly counts: () => ReadyCounts) {}

  async setWeight(_weight: number): Promise<void> {
    // Replica counts are planned by the rollout core; there is nothing else to route.
  }

  async getWeight(): Promise<number> {
    const { stableReady, canaryReady } = this.counts();
    const total = stableReady + canaryReady;
    return total === 0 ? 0 : Math.round((canaryReady / total) * 100);
  }
}
