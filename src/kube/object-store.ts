import type { KubernetesObject } from '@kubernetes/client-node';

// Objects indexed by namespace, then name, so `list(namespace)` does not scan
// the whole cache, and by any secondary keys the caller names (client-go's Indexers:
// a ReplicaSet by its owner's uid, a Rollout by its Deployment), so a lookup per
// reconcile or per event costs what it returns, not the size of the cache.
// Objects are stored as received, no copies, less what `prune` drops.

/** Drops, in place, the fields of a cached object that no reader of the cache uses. */
export type Prune<T> = (obj: T) => void;

/** The keys an object is found under in one index (none: not in it). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export class ObjectStore<T extends KubernetesObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  /** index name -> key -> namespace/name -> object */
  private readonly indices = new Map<string, Map<string, Map<string, T>>>();
  private count = 0;

  constructor(
    private readonly prune?: Prune<T>,
    private readonly indexers: Indexers<T> = {},
  ) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  /** The objects index `index` holds under `key`. */
  byIndex(index: string, key: string): T[] {
    const entries = this.indices.get(index);
    if (!entries) throw new Error(`no index "${index}" on this cache (known: ${[...this.indices.keys()].join(', ') || 'none'})`);
    return [...(entries.get(key)?.values() ?? [])];
  }

  get size(): number {
    return this.count;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.byNamespace.get(namespace ?? '')?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const objects of this.byNamespace.values()) for (const o of objects.values()) out.push(o);
    return out;
  }

  /** Store `obj`; returns the object it replaced, if any. */
  upsert(obj: T): T | undefined {
    trimForCache(obj, this.prune);
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    let objects = this.byNamespace.get(ns);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(ns, objects);
    }
    const old = objects.get(name);
    objects.set(name, obj);
    if (!old) this.count++;
    if (old) this.unindex(old);
    this.index(obj);
    return old;
  }

  /** Remove by identity; returns the removed object, if it was cached. */
  remove(namespace: string | undefined, name: string): T | undefined {
    const ns = namespace ?? '';
    const objects = this.byNamespace.get(ns);
    const old = objects?.get(name);
    if (!objects || !old) return undefined;
    objects.delete(name);
    this.count--;
    if (objects.size === 0) this.byNamespace.delete(ns);
    this.unindex(old);
    return old;
  }

  private index(obj: T): void {
    const id = identity(obj);
    for (const [name, fn] of Object.entries(this.indexers)) {
      const entries = this.indices.get(name);
      if (!entries) continue;
      for (const key of fn(obj)) {
        let bucket = entries.get(key);
        if (!bucket) {
          bucket = new Map();
          entries.set(key, bucket);
        }
        bucket.set(id, obj);
      }
    }
  }

  private unindex(obj: T): void {
    const id = identity(obj);
    for (const [name, fn] of Object.entries(this.indexers)) {
      const entries = this.indices.get(name);
      if (!entries) continue;
      for (const key of fn(obj)) {
        const bucket = entries.get(key);
        if (bucket?.get(id) !== obj) continue;
        bucket.delete(id);
        if (bucket.size === 0) entries.delete(key);
      }
    }
  }

  *entries(): IterableIterator<T> {
    for (const objects of this.byNamespace.values()) yield* objects.values();
  }

  clear(): void {
    this.byNamespace.clear();
    for (const entries of this.indices.values()) entries.clear();
    this.count = 0;
  }
}

/**
 * Drops, in place, what no reader of a cache uses: the object as the cache keeps it.
 * Idempotent, so a list can trim each page as it arrives and the store trim again.
 */
export function trimForCache<T extends KubernetesObject>(obj: T, prune?: Prune<T>): void {
  // managedFields are server-side-apply bookkeeping no reconciler reads, and often
  // the largest part of an object: dropping them is the cheapest memory win.
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  // kubectl's client-side apply keeps a whole copy of the object in this annotation.
  const annotations = obj.metadata?.annotations;
  if (annotations && LAST_APPLIED in annotations) delete annotations[LAST_APPLIED];
  prune?.(obj);
}

/** `namespace/name`: an object's key in a cache. */
export function identity(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
