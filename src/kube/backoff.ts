// Backoff for reconnecting informers, shaped like client-go's
// ExponentialBackoffManager: the delay doubles with each failure, is capped,
// carries jitter so many informers do not reconnect in lock-step, and the
// failure count resets once nothing has failed for `resetAfterMs`.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Extra random delay as a fraction of the computed delay (0..1). */
  jitter: number;
  resetAfterMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: BackoffOptions = {
  initialMs: 800,
  maxMs: 30_000,
  jitter: 1,
  resetAfterMs: 120_000,
};

/** Capped exponential delay without jitter: initial * 2^failures, at most max. */
export function exponentialDelay(initialMs: number, maxMs: number, failures: number): number {
  if (failures <= 0) return Math.min(initialMs, maxMs);
  // Beyond ~50 doublings the float is already past any sane cap.
  const delay = initialMs * 2 ** Math.min(failures, 52);
  return Math.min(delay, maxMs);
}

export class Backoff {
  private failures = 0;
  private lastFailureAt = -Infinity;

  constructor(
    private readonly opts: BackoffOptions = DEFAULT_RECONNECT_BACKOFF,
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Record a failure and return how long to wait before the next attempt. */
  next(): number {
    const t = this.now();
    if (t - this.lastFailureAt > this.opts.resetAfterMs) this.failures = 0;
    this.lastFailureAt = t;
    const base = exponentialDelay(this.opts.initialMs, this.opts.maxMs, this.failures);
    this.failures++;
    return Math.min(base * (1 + this.opts.jitter * this.random()), this.opts.maxMs * (1 + this.opts.jitter));
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
    this.lastFailureAt = -Infinity;
  }
}
