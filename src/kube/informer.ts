import type { KubernetesObject } from '@kubernetes/client-node';
import { Backoff, DEFAULT_RECONNECT_BACKOFF } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { errorMessage, isGone, watchErrorNeedsRelist } from './errors.js';
import { listAll } from './list-pager.js';
import { silentLogger } from './logger.js';
import type { KubeLogger } from './logger.js';
import { identity, ObjectStore, trimForCache, type Indexers, type Prune } from './object-store.js';
import { collectionPath, resourceName } from './resource.js';
import type { ResourceRef } from './resource.js';
import { KubeClient, type KubeConfigLike } from './rest.js';

// A list-watch cache, hardened against the failure modes of long-lived watches:
//  - a watch that goes silent (dead TCP peer, lost proxy) never ends: a watchdog
//    restarts a watch that delivered no event or bookmark for `staleAfterMs`
//    (bookmarks keep a healthy idle watch visibly alive);
//  - 410 Gone arrives either as an ERROR event inside a 200 stream or as the
//    HTTP status: both relist (through the backoff, as client-go's reflector
//    loop does, so a server that keeps answering 410 cannot make us spin);
//  - every failure reconnects through capped exponential backoff with jitter,
//    so restarts do not hammer the API server;
//  - `done` can fire before `watch()` resolves or after we aborted: each
//    attempt carries a generation number and stale callbacks are ignored;
//  - handlers are invoked inside try/catch and failures are logged, so one bad
//    handler cannot end the stream.

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export type RestartReason = 'watch-error' | 'watch-closed' | 'stale' | 'gone' | 'list-error';

/** Counters the controller exports as metrics. */
export interface InformerObserver {
  restart?(resource: string, reason: RestartReason): void;
  relist?(resource: string, objects: number, durationMs: number): void;
  event?(resource: string, type: WatchEventType): void;
}

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  resource: ResourceRef;
  /** Restrict to one namespace; cluster-wide when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side watch timeout; randomised up to 2x so informers do not reconnect together. Default 300. */
  watchTimeoutSeconds?: number;
  /** Restart a watch that delivered nothing (not even a bookmark) for this long. Default 90 s. */
  staleAfterMs?: number;
  /** Re-deliver every cached object as an update this often; 0 disables. Default 10 min. */
  resyncPeriodMs?: number;
  pageSize?: number;
  listTimeoutMs?: number;
  backoff?: BackoffOptions;
  logger?: KubeLogger;
  observer?: InformerObserver;
  /**
   * Drops, in place, fields no reader of this cache uses (e.g. a ReplicaSet's pod
   * template) before an object is cached or handed to handlers.
   */
  prune?: Prune<T>;
  /** Secondary keys to look objects up by (`byIndex`), kept current with the cache. */
  indexers?: Indexers<T>;
}

export type ObjectHandler<T> = (obj: T) => void;
/** On a periodic resync `obj === old`. */
export type UpdateHandler<T> = (obj: T, old: T) => void;
/** `startedAt` is the performance.now() at which the list request was sent. */
export type RelistHandler = (info: { startedAt: number }) => void;

/** What the controller runtime needs from an informer. */
export interface SharedInformer<T extends KubernetesObject = KubernetesObject> {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  /** Milliseconds since the last list, watch event or bookmark: how stale the cache may be. */
  msSinceActivity(): number;
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  /** The cached objects under `key` in the index named `index` (declared in `indexers`). */
  byIndex(index: string, key: string): T[];
  on(event: 'add' | 'delete', handler: ObjectHandler<T>): () => void;
  on(event: 'update', handler: UpdateHandler<T>): () => void;
  on(event: 'relist', handler: RelistHandler): () => void;
}

const MIN_HEALTHY_WATCH_MS = 1_000;
const STOP_GRACE_MS = 2_000;

export class Informer<T extends KubernetesObject = KubernetesObject> implements SharedInformer<T> {
  readonly name: string;
  private readonly path: string;
  private readonly kube: KubeClient;
  private readonly store: ObjectStore<T>;
  private readonly backoff: Backoff;
  private readonly log: KubeLogger;
  private readonly observer: InformerObserver;
  private readonly opts: Required<Pick<InformerOptions, 'watchTimeoutSeconds' | 'staleAfterMs' | 'resyncPeriodMs' | 'pageSize' | 'listTimeoutMs'>>;

  private readonly addHandlers: ObjectHandler<T>[] = [];
  private readonly updateHandlers: UpdateHandler<T>[] = [];
  private readonly deleteHandlers: ObjectHandler<T>[] = [];
  private readonly relistHandlers: RelistHandler[] = [];

  private running = false;
  private synced = false;
  /** Bumped for every attempt; callbacks from an older attempt are ignored. */
  private generation = 0;
  private needsList = true;
  private resourceVersion = '';
  private lastActivity = 0;
  private watchStartedAt = 0;
  private eventsInWatch = 0;
  private watching = false;

  private watchAbort: AbortController | undefined;
  private listAbort: AbortController | undefined;
  private pending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly kc: KubeConfigLike,
    private readonly options: InformerOptions<T>,
  ) {
    this.store = new ObjectStore<T>(options.prune, options.indexers);
    this.name = resourceName(options.resource) + (options.namespace ? `@${options.namespace}` : '');
    this.path = collectionPath(options.resource, options.namespace);
    this.kube = KubeClient.for(kc);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_RECONNECT_BACKOFF);
    this.log = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
    this.opts = {
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      staleAfterMs: options.staleAfterMs ?? 90_000,
      resyncPeriodMs: options.resyncPeriodMs ?? 600_000,
      pageSize: options.pageSize ?? 500,
      listTimeoutMs: options.listTimeoutMs ?? 60_000,
    };
  }

  on(event: 'add' | 'delete', handler: ObjectHandler<T>): () => void;
  on(event: 'update', handler: UpdateHandler<T>): () => void;
  on(event: 'relist', handler: RelistHandler): () => void;
  on(event: 'add' | 'update' | 'delete' | 'relist', handler: ObjectHandler<T> | UpdateHandler<T> | RelistHandler): () => void {
    const list = this.handlersFor(event) as unknown[];
    list.push(handler);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private handlersFor(event: 'add' | 'update' | 'delete' | 'relist'): unknown[] {
    switch (event) {
      case 'add':
        return this.addHandlers;
      case 'update':
        return this.updateHandlers;
      case 'delete':
        return this.deleteHandlers;
      case 'relist':
        return this.relistHandlers;
    }
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been applied (immediately if it has). */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  list(namespace?: string): T[] {
    return this.store.list(namespace);
  }

  byIndex(index: string, key: string): T[] {
    return this.store.byIndex(index, key);
  }

  /** True while a watch stream is open; with `msSinceActivity` this serves health checks. */
  isWatching(): boolean {
    return this.watching;
  }

  msSinceActivity(): number {
    return performance.now() - this.lastActivity;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastActivity = performance.now();
    this.schedule(0);
    const checkEvery = Math.max(50, Math.min(this.opts.staleAfterMs / 3, 10_000));
    this.watchdogTimer = setInterval(() => this.checkStale(), checkEvery);
    if (this.opts.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
    }
  }

  /**
   * Stop watching and clear all timers; the cache is kept. Open requests are
   * aborted. A watch still connecting cannot be aborted until the client hands
   * back its controller; we wait briefly for it and otherwise let the
   * generation check abort it on arrival (the client's 30 s connect timeout
   * bounds that).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdogTimer);
    clearInterval(this.resyncTimer);
    this.retryTimer = this.watchdogTimer = this.resyncTimer = undefined;
    this.abortInFlight();
    const pending = this.pending;
    if (pending) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
      await Promise.race([pending.catch(() => undefined), grace]);
      clearTimeout(timer);
    }
    this.abortInFlight();
  }

  private abortInFlight(): void {
    this.watching = false;
    this.watchAbort?.abort();
    this.watchAbort = undefined;
    this.listAbort?.abort();
    this.listAbort = undefined;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pending = this.connect();
    }, delayMs);
  }

  /** Invalidate the current attempt and connect again after a delay. */
  private restart(reason: RestartReason, err: unknown, delayMs: number): void {
    this.generation++;
    this.abortInFlight();
    this.observer.restart?.(this.name, reason);
    const detail = { resource: this.name, reason, delayMs: Math.round(delayMs), err: err ? errorMessage(err) : undefined };
    if (reason === 'watch-closed') this.log.debug(detail, 'watch ended; reconnecting');
    else this.log.warn(detail, 'informer restarting');
    if (this.running) this.schedule(delayMs);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const gen = ++this.generation;
    this.lastActivity = performance.now();
    try {
      if (this.needsList) {
        await this.relist(gen);
        if (gen !== this.generation) return;
      }
      await this.startWatch(gen);
    } catch (err) {
      if (gen !== this.generation || !this.running) return;
      if (isGone(err)) this.needsList = true;
      this.restart(this.needsList ? 'list-error' : 'watch-error', err, this.backoff.next());
    }
  }

  private async relist(gen: number): Promise<void> {
    const started = performance.now();
    const abort = new AbortController();
    this.listAbort = abort;
    const { items, resourceVersion } = await listAll<T>(this.kc, this.path, {
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      pageSize: this.opts.pageSize,
      timeoutMs: this.opts.listTimeoutMs,
      signal: abort.signal,
      each: (item) => trimForCache(item, this.options.prune),
    });
    if (gen !== this.generation) return;
    this.listAbort = undefined;
    this.replace(items);
    this.resourceVersion = resourceVersion;
    this.needsList = false;
    this.lastActivity = performance.now();
    this.observer.relist?.(this.name, items.length, performance.now() - started);
    this.log.debug({ resource: this.name, objects: items.length, resourceVersion }, 'listed');
    for (const h of this.relistHandlers) this.invoke('relist', () => h({ startedAt: started }));
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Swap in a fresh list, emitting deletes for vanished objects and add/update for the rest. */
  private replace(items: T[]): void {
    const fresh = new Set(items.map(identity));
    for (const old of this.store.entries()) {
      if (!fresh.has(identity(old))) {
        this.store.remove(old.metadata?.namespace, old.metadata?.name ?? '');
        this.emitDelete(old);
      }
    }
    for (const item of items) this.apply(item);
  }

  private async startWatch(gen: number): Promise<void> {
    this.watchStartedAt = performance.now();
    this.eventsInWatch = 0;
    // Randomise the server-side timeout (as client-go does) to spread reconnects.
    const timeoutSeconds = Math.floor(this.opts.watchTimeoutSeconds * (1 + Math.random()));
    const abort = await this.kube.watch(
      this.path,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
      },
      (type: string, obj: unknown) => this.onWatchEvent(gen, type as WatchEventType, obj),
      (err: unknown) => this.onWatchDone(gen, err),
    );
    if (gen !== this.generation) {
      // Superseded (stopped, stale, or already done) while connecting.
      abort.abort();
      return;
    }
    this.watchAbort = abort;
    this.watching = true;
  }

  private onWatchEvent(gen: number, type: WatchEventType, obj: unknown): void {
    if (gen !== this.generation) return;
    this.lastActivity = performance.now();
    this.observer.event?.(this.name, type);
    if (type === 'ERROR') {
      if (watchErrorNeedsRelist(obj)) {
        this.needsList = true;
        this.restart('gone', obj, this.backoff.next());
      } else {
        this.restart('watch-error', obj, this.backoff.next());
      }
      return;
    }
    const o = obj as T;
    this.eventsInWatch++;
    const rv = o.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') this.apply(o);
    else if (type === 'DELETED') {
      const old = this.store.remove(o.metadata?.namespace, o.metadata?.name ?? '');
      // Deliver the final state the server sent; fall back to the cached copy.
      if (old) this.emitDelete(o.metadata ? o : old);
    }
    if (rv) this.resourceVersion = rv;
  }

  private onWatchDone(gen: number, err: unknown): void {
    if (gen !== this.generation) return;
    if (err) {
      if (isGone(err)) {
        this.needsList = true;
        this.restart('gone', err, this.backoff.next());
      } else {
        this.restart('watch-error', err, this.backoff.next());
      }
      return;
    }
    // A clean end is normally the server-side timeout: resume at once from the
    // last resourceVersion. A stream that closes immediately without events is
    // treated as a failure so a misbehaving proxy cannot make us spin.
    const lasted = performance.now() - this.watchStartedAt;
    const suspicious = lasted < MIN_HEALTHY_WATCH_MS && this.eventsInWatch === 0;
    this.restart('watch-closed', undefined, suspicious ? this.backoff.next() : 0);
  }

  private checkStale(): void {
    if (!this.running || this.retryTimer) return;
    if (performance.now() - this.lastActivity < this.opts.staleAfterMs) return;
    // A hung list is bounded by its own timeout; only a silent watch or a hung connect lands here.
    if (this.listAbort) return;
    this.restart('stale', new Error(`no watch activity for ${this.opts.staleAfterMs} ms`), this.backoff.next());
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.entries()) for (const h of this.updateHandlers) this.invoke('update', () => h(obj, obj));
  }

  private apply(obj: T): void {
    const old = this.store.upsert(obj);
    if (!old) {
      for (const h of this.addHandlers) this.invoke('add', () => h(obj));
    } else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      for (const h of this.updateHandlers) this.invoke('update', () => h(obj, old));
    }
  }

  private emitDelete(obj: T): void {
    for (const h of this.deleteHandlers) this.invoke('delete', () => h(obj));
  }

  private invoke(event: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ resource: this.name, event, err: errorMessage(err) }, 'informer handler threw');
    }
  }
}
