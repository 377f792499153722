import { ItemExponentialRateLimiter } from './rate-limiter.js';

// A work queue with client-go's semantics, for one event loop:
//  - `dirty` holds keys waiting to be processed; adding a dirty key is a no-op
//    (de-duplication);
//  - `processing` holds keys a worker is on; a key added while processing is
//    only marked dirty and re-queued when the worker calls done, so one key is
//    never worked on by two workers at once, and the change is not lost;
//  - delayed adds keep the earliest deadline per key;
//  - rate-limited adds back off per key until `forget`.
// Difference from client-go: shutDown drops queued keys that no worker has
// started (the next leader relists and rebuilds them) and, with drain, waits
// only for in-flight work.

export interface WorkQueueObserver {
  /** Queue length changed (keys ready, not counting delayed or in-flight keys). */
  depth?(depth: number): void;
  /** How long a key waited between becoming ready and a worker taking it. */
  latency?(ms: number): void;
  /** How long the handler took. */
  workDuration?(ms: number): void;
  retry?(key: string): void;
  /** The handler threw; the queue itself does not retry. */
  handlerError?(key: string, err: unknown): void;
}

export interface WorkQueueOptions {
  rateLimiter?: ItemExponentialRateLimiter;
  observer?: WorkQueueObserver;
}

export type WorkHandler = (key: string) => Promise<void>;

interface Delayed {
  at: number;
  timer: NodeJS.Timeout;
}

export class WorkQueue {
  private items: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  /** When each dirty key became ready, for the latency observation. */
  private readonly readySince = new Map<string, number>();
  private getters: ((key: string | undefined) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private workers: Promise<void>[] = [];
  private readonly limiter: ItemExponentialRateLimiter;
  private readonly observer: WorkQueueObserver;

  constructor(opts: WorkQueueOptions = {}) {
    this.limiter = opts.rateLimiter ?? new ItemExponentialRateLimiter();
    this.observer = opts.observer ?? {};
  }

  private lastProgress = performance.now();

  /**
   * Milliseconds the queue has had ready keys without handing one out: 0 while it is
   * empty or moving. A large value means every worker is stuck.
   */
  msWithoutProgress(): number {
    return this.depth() === 0 ? 0 : performance.now() - this.lastProgress;
  }

  /** Keys ready to be handed to a worker. */
  depth(): number {
    return this.items.length - this.head;
  }

  /** Keys scheduled by addAfter/addRateLimited that are not ready yet. */
  delayedCount(): number {
    return this.delayed.size;
  }

  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.readySince.set(key, performance.now());
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  /** Add after `ms`; if the key is already scheduled, the earlier deadline wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = performance.now() + ms;
    const existing = this.delayed.get(key);
    if (existing) {
      if (existing.at <= at) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Re-add after the key's exponential backoff (5 ms doubling to 1000 s by default). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.observer.retry?.(key);
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clear the key's failure history (call after it was handled successfully). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Next key for a worker; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** A worker finished `key`; if it was re-added meanwhile it goes back in line. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      if (this.shuttingDown) {
        this.dirty.delete(key);
        this.readySince.delete(key);
      } else {
        this.push(key);
      }
    }
    if (this.processing.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Start `workers` loops that hand keys to `handler`, one key per worker at a time. */
  run(workers: number, handler: WorkHandler): void {
    for (let i = 0; i < workers; i++) this.workers.push(this.work(handler));
  }

  /**
   * Stop handing out keys and drop pending and delayed ones. With `drain`,
   * resolve only after in-flight handlers have finished.
   */
  async shutDown(opts: { drain?: boolean } = {}): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      for (const d of this.delayed.values()) clearTimeout(d.timer);
      this.delayed.clear();
      for (const key of this.items.slice(this.head)) {
        this.dirty.delete(key);
        this.readySince.delete(key);
      }
      this.items = [];
      this.head = 0;
      this.observer.depth?.(0);
      const getters = this.getters;
      this.getters = [];
      for (const g of getters) g(undefined);
    }
    if (opts.drain) {
      if (this.processing.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.all(this.workers);
    }
  }

  private async work(handler: WorkHandler): Promise<void> {
    for (;;) {
      const key = await this.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        await handler(key);
      } catch (err) {
        this.observer.handlerError?.(key, err);
      } finally {
        this.observer.workDuration?.(performance.now() - started);
        this.done(key);
      }
    }
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.begin(key);
      getter(key);
      return;
    }
    // Work arriving at an idle queue starts the no-progress clock.
    if (this.depth() === 0) this.lastProgress = performance.now();
    this.items.push(key);
    this.observer.depth?.(this.depth());
  }

  private take(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++] as string;
    this.lastProgress = performance.now();
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.observer.depth?.(this.depth());
    this.begin(key);
    return key;
  }

  private begin(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
    const since = this.readySince.get(key);
    this.readySince.delete(key);
    if (since !== undefined) this.observer.latency?.(performance.now() - since);
  }
}
