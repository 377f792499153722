import { isNotFound } from './errors.js';
import { KubeClient, type KubeConfigLike, type PatchType, type Query } from './rest.js';
import { collectionPath, type ResourceRef } from './resource.js';

// One resource's REST verbs over the shared client. `namespace` undefined addresses
// a cluster-scoped resource (or, for list, every namespace).

export interface CallOptions {
  query?: Query;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ObjectList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export class ResourceClient<T extends object> {
  constructor(
    private readonly kube: KubeClient,
    readonly ref: ResourceRef,
  ) {}

  static of<T extends object>(kc: KubeConfigLike, ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(KubeClient.for(kc), ref);
  }

  path(namespace: string | undefined, name?: string, subresource?: string): string {
    const base = collectionPath(this.ref, namespace);
    if (name === undefined) return base;
    return `${base}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  }

  get(namespace: string | undefined, name: string, opts?: CallOptions): Promise<T> {
    return this.kube.get<T>(this.path(namespace, name), opts);
  }

  /** undefined when the object does not exist. */
  async find(namespace: string | undefined, name: string, opts?: CallOptions): Promise<T | undefined> {
    try {
      return await this.get(namespace, name, opts);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  list(namespace: string | undefined, opts?: CallOptions): Promise<ObjectList<T>> {
    return this.kube.get<ObjectList<T>>(this.path(namespace), opts);
  }

  create(namespace: string | undefined, body: T, opts?: CallOptions): Promise<T> {
    return this.kube.create<T>(this.path(namespace), body, opts);
  }

  /** A full update; `body.metadata.resourceVersion`, when set, is the precondition. */
  replace(namespace: string | undefined, name: string, body: T, opts?: CallOptions): Promise<T> {
    return this.kube.replace<T>(this.path(namespace, name), body, opts);
  }

  patch(namespace: string | undefined, name: string, body: unknown, type: PatchType = 'merge', opts?: CallOptions): Promise<T> {
    return this.kube.patch<T>(this.path(namespace, name), body, type, opts);
  }

  patchStatus(namespace: string | undefined, name: string, body: unknown, type: PatchType = 'merge', opts?: CallOptions): Promise<T> {
    return this.kube.patch<T>(this.path(namespace, name, 'status'), body, type, opts);
  }

  /** `body` is a DeleteOptions, e.g. `{ preconditions: { resourceVersion } }`. */
  delete(namespace: string | undefined, name: string, opts?: CallOptions & { body?: unknown }): Promise<unknown> {
    return this.kube.delete<unknown>(this.path(namespace, name), opts);
  }

  /** delete, where an object already gone counts as deleted. */
  async deleteIfExists(namespace: string | undefined, name: string, opts?: CallOptions & { body?: unknown }): Promise<void> {
    try {
      await this.delete(namespace, name, opts);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
