import type { KubernetesObject } from '@kubernetes/client-node';

// Objects indexed by namespace, then name, so `list(namespace)` does not scan
// the whole cache. Objects are stored as received, no copies, less what `prune` drops.

/** Drops, in place, the fields of a cached object that no reader of the cache uses. */
export type Prune<T> = (obj: T) => void;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export class ObjectStore<T extends KubernetesObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;

  constructor(private readonly prune?: Prune<T>) {}

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
    // managedFields are server-side-apply bookkeeping no reconciler reads, and often
    // the largest part of an object: dropping them is the cheapest memory win.
    if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
    // kubectl's client-side apply keeps a whole copy of the object in this annotation.
    const annotations = obj.metadata?.annotations;
    if (annotations && LAST_APPLIED in annotations) delete annotations[LAST_APPLIED];
    this.prune?.(obj);
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
    return old;
  }

  *entries(): IterableIterator<T> {
    for (const objects of this.byNamespace.values()) yield* objects.values();
  }

  clear(): void {
    this.byNamespace.clear();
    this.count = 0;
  }
}
