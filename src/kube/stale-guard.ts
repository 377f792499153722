import type { KubernetesObject } from '@kubernetes/client-node';
import type { SharedInformer } from './informer.js';
import { silentLogger } from './logger.js';
import type { KubeLogger } from './logger.js';
import { objectKey } from './resource.js';

// After the controller writes an object, its informer cache lags for a moment.
// A reconcile that reads the older cached copy would redo (or undo) work that
// was just written. The guard remembers the resourceVersion each write
// produced and answers "is the cached copy older than our own last write?".
//
// resourceVersions are opaque strings: the API only promises equality, so we
// never compare them numerically. Ordering comes from the watch instead: it
// delivers every version of an object in order, so once the informer has
// delivered our written version, every later cached version is newer.
// Concretely a write is settled when
//   - the cached copy carries exactly the written resourceVersion, or
//   - the informer has delivered an event with that resourceVersion (later
//     events may already have replaced it), or
//   - a relist that started after the write completed has been applied (a
//     list without resourceVersion is a consistent read, so it includes the
//     write, even if the watch skipped that version), or
//   - the object was deleted, or
//   - `maxAgeMs` passed (a safety valve, logged, so a lost event cannot
//     wedge a key forever).
// Writes can complete after the watch already delivered their version (the
// watch may beat the HTTP response), so `guardWrite` records the versions
// seen while the write is in flight.

interface Pending {
  /** resourceVersions observed while the write was in flight. */
  seen: string[];
}

interface Written {
  rv: string;
  /** performance.now() when the write completed. */
  at: number;
}

export interface StaleGuardOptions {
  maxAgeMs?: number;
  logger?: KubeLogger;
  now?: () => number;
}

export class StaleGuard {
  private readonly written = new Map<string, Written>();
  private readonly pending = new Map<string, Pending>();
  private readonly maxAgeMs: number;
  private readonly log: KubeLogger;
  private readonly now: () => number;

  constructor(opts: StaleGuardOptions = {}) {
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Number of writes not yet confirmed by the cache (for tests and metrics). */
  get unsettled(): number {
    return this.written.size;
  }

  /** Run a write for `key` and remember the resourceVersion it produced. */
  async guardWrite<T extends KubernetesObject>(key: string, write: () => Promise<T | undefined>): Promise<T | undefined> {
    const pending: Pending = { seen: [] };
    this.pending.set(key, pending);
    try {
      const obj = await write();
      const rv = obj?.metadata?.resourceVersion;
      if (rv && !pending.seen.includes(rv)) this.recordWrite(key, rv);
      return obj;
    } finally {
      if (this.pending.get(key) === pending) this.pending.delete(key);
    }
  }

  /** Remember that our write of `key` produced `resourceVersion`. */
  recordWrite(key: string, resourceVersion: string): void {
    this.written.set(key, { rv: resourceVersion, at: this.now() });
  }

  /** The informer delivered `resourceVersion` of `key`. */
  observe(key: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    const w = this.written.get(key);
    if (w && w.rv === resourceVersion) this.written.delete(key);
    const p = this.pending.get(key);
    if (p && p.seen.length < 64) p.seen.push(resourceVersion);
  }

  /** The object is gone; nothing to wait for. */
  forget(key: string): void {
    this.written.delete(key);
  }

  /** A list that started at `startedAt` was applied: it includes every write completed before then. */
  relisted(startedAt: number): void {
    for (const [key, w] of this.written) if (w.at < startedAt) this.written.delete(key);
  }

  /**
   * True when the cached copy (with `cachedResourceVersion`) predates the
   * controller's own last write to `key`: the reconcile must not act on it and
   * should requeue shortly.
   */
  isStale(key: string, cachedResourceVersion: string | undefined): boolean {
    const w = this.written.get(key);
    if (!w) return false;
    if (w.rv === cachedResourceVersion) {
      this.written.delete(key);
      return false;
    }
    if (this.now() - w.at > this.maxAgeMs) {
      this.written.delete(key);
      this.log.warn({ key, written: w.rv, cached: cachedResourceVersion }, 'cache never showed our write; trusting it again');
      return false;
    }
    return true;
  }

  /** Feed the guard from an informer; returns a function that detaches it. */
  attach<T extends KubernetesObject>(informer: SharedInformer<T>): () => void {
    const offs = [
      informer.on('add', (o) => this.observe(objectKey(o), o.metadata?.resourceVersion)),
      informer.on('update', (o) => this.observe(objectKey(o), o.metadata?.resourceVersion)),
      informer.on('delete', (o) => this.forget(objectKey(o))),
      informer.on('relist', ({ startedAt }) => this.relisted(startedAt)),
    ];
    return () => {
      for (const off of offs) off();
    };
  }
}
