import type { KubernetesObject } from '@kubernetes/client-node';
import { errorMessage } from './errors.js';
import type { SharedInformer } from './informer.js';
import { silentLogger } from './logger.js';
import type { KubeLogger } from './logger.js';
import { objectKey } from './resource.js';
import type { WorkQueue } from './workqueue.js';

// Generic glue between informers, the work queue and a reconciler. It knows
// nothing about rollouts: which key an event concerns is decided by the
// `enqueueFor` function passed in.

export interface ReconcileResult {
  /** Reconcile this key again after so many milliseconds (timed waits: pauses, analysis intervals). */
  requeueAfter?: number;
}

export interface ReconcileContext {
  /** Aborted when the controller stops without draining (e.g. leadership lost): stop writing. */
  signal: AbortSignal;
}

export interface Reconciler {
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void>;
}

export type InformerEventType = 'add' | 'update' | 'delete';

/**
 * Keys to reconcile for an event from informer `source`. Return the object's
 * own key for the primary resource, the owner's key for dependents (e.g. the
 * Rollout that owns a ReplicaSet), or nothing to ignore the event.
 */
export type EnqueueFor = (source: string, obj: KubernetesObject, event: InformerEventType) => string | Iterable<string> | undefined;

export interface ControllerHooks {
  reconcileDuration?(ms: number, outcome: 'success' | 'requeue' | 'error'): void;
  reconcileError?(key: string, err: unknown): void;
  queueDepth?(depth: number): void;
}

export interface RunControllerOptions {
  name?: string;
  /** Informers by name; the name is passed to `enqueueFor` as `source`. */
  informers: Record<string, SharedInformer>;
  queue: WorkQueue;
  reconciler: Reconciler;
  workers?: number;
  /** Defaults to each object's own `namespace/name`. */
  enqueueFor?: EnqueueFor;
  hooks?: ControllerHooks;
  logger?: KubeLogger;
  /** How often to check `hasSynced` while waiting for caches. */
  syncPollMs?: number;
}

export interface RunningController {
  /** Resolves when all caches have synced and workers are running; false if stopped first. */
  readonly started: Promise<boolean>;
  /**
   * Stop reconciling. With `drain` (the SIGTERM path) in-flight reconciles
   * finish first; without it (leadership lost) their signal aborts at once.
   */
  stop(opts?: { drain?: boolean }): Promise<void>;
}

const ownKey: EnqueueFor = (_source, obj) => objectKey(obj);

function* keysOf(result: string | Iterable<string> | undefined): Iterable<string> {
  if (result === undefined) return;
  if (typeof result === 'string') yield result;
  else yield* result;
}

export function runController(opts: RunControllerOptions): RunningController {
  const { queue, reconciler, informers } = opts;
  const name = opts.name ?? 'controller';
  const log = opts.logger ?? silentLogger;
  const hooks = opts.hooks ?? {};
  const enqueueFor = opts.enqueueFor ?? ownKey;
  const workers = opts.workers ?? 4;
  const abort = new AbortController();
  let stopped = false;

  const enqueue = (source: string, obj: KubernetesObject, event: InformerEventType): void => {
    let keys: string | Iterable<string> | undefined;
    try {
      keys = enqueueFor(source, obj, event);
    } catch (err) {
      log.error({ controller: name, source, err: errorMessage(err) }, 'enqueueFor threw');
      return;
    }
    for (const key of keysOf(keys)) if (key) queue.add(key);
    hooks.queueDepth?.(queue.depth());
  };

  const detach: (() => void)[] = [];
  for (const [source, informer] of Object.entries(informers)) {
    detach.push(
      informer.on('add', (o) => enqueue(source, o, 'add')),
      informer.on('update', (o) => enqueue(source, o, 'update')),
      informer.on('delete', (o) => enqueue(source, o, 'delete')),
    );
    informer.start();
  }

  const handle = async (key: string): Promise<void> => {
    const t0 = performance.now();
    try {
      const result = await reconciler.reconcile(key, { signal: abort.signal });
      queue.forget(key);
      const after = result ? result.requeueAfter : undefined;
      if (after !== undefined && after >= 0) queue.addAfter(key, after);
      hooks.reconcileDuration?.(performance.now() - t0, after !== undefined ? 'requeue' : 'success');
    } catch (err) {
      hooks.reconcileDuration?.(performance.now() - t0, 'error');
      hooks.reconcileError?.(key, err);
      log.warn({ controller: name, key, retries: queue.numRequeues(key), err: errorMessage(err) }, 'reconcile failed; retrying with backoff');
      if (!abort.signal.aborted) queue.addRateLimited(key);
    } finally {
      hooks.queueDepth?.(queue.depth());
    }
  };

  const started = (async (): Promise<boolean> => {
    const pollMs = opts.syncPollMs ?? 100;
    const all = Object.values(informers);
    while (!stopped && !all.every((i) => i.hasSynced())) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    if (stopped) return false;
    // Informers may be shared and already synced (e.g. when a replica regains
    // leadership), so their adds happened before we subscribed: enqueue every
    // cached object once, as client-go replays the store to a new handler.
    for (const [source, informer] of Object.entries(informers)) {
      for (const obj of informer.list()) enqueue(source, obj, 'add');
    }
    log.info({ controller: name, workers }, 'caches synced; starting workers');
    queue.run(workers, handle);
    return true;
  })();

  return {
    started,
    async stop({ drain = true } = {}) {
      if (stopped) return;
      stopped = true;
      for (const off of detach) off();
      if (!drain) abort.abort(new Error('controller stopped'));
      await queue.shutDown({ drain });
      abort.abort(new Error('controller stopped'));
      log.info({ controller: name, drained: drain }, 'controller stopped');
    },
  };
}
