import { exponentialDelay } from './backoff.js';

/**
 * Per-item exponential backoff, as client-go's ItemExponentialFailureRateLimiter:
 * the n-th consecutive failure of a key waits base * 2^n, capped. `forget`
 * clears the history once the key succeeds. Memory is one number per failing key.
 */
export class ItemExponentialRateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  /** Delay before the next retry of `key`; counts as one more failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return exponentialDelay(this.baseMs, this.maxMs, n);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
