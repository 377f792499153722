import type { KubernetesObject } from '@kubernetes/client-node';
import { createMergePatch } from './json-diff.js';
import { keyOf } from './resource.js';
import { KubeClient, type KubeConfigLike } from './rest.js';
import { ResourceClient } from './resource-client.js';
import type { ResourceRef } from './resource.js';
import type { StaleGuard } from './stale-guard.js';

/** One object of a resource; no namespace means cluster-scoped. */
export interface ObjectRef extends ResourceRef {
  namespace?: string;
  name: string;
}

export interface StatusWriterOptions {
  fieldManager?: string;
  requestTimeoutMs?: number;
  /** When given, every write is recorded so reconciles can detect a stale cache. */
  guard?: StaleGuard;
}

export interface PatchStatusOptions {
  /**
   * resourceVersion of the object `currentStatus` was read from. Sent as a
   * precondition: if the object changed since, the API answers 409 and the
   * caller requeues instead of overwriting a status it has not seen.
   */
  resourceVersion?: string;
}

/**
 * Writes status through the `/status` subresource only, as a JSON merge patch
 * holding just the members that differ, and only when something differs.
 * Works for any group with a status subresource (CRDs, apps/v1, ...); the
 * core group is not served under /apis and is not supported.
 */
export class StatusWriter {
  private readonly kube: KubeClient;
  private readonly fieldManager: string;
  private readonly timeoutMs: number;

  constructor(
    kc: KubeConfigLike,
    private readonly opts: StatusWriterOptions = {},
  ) {
    this.kube = KubeClient.for(kc);
    this.fieldManager = opts.fieldManager ?? 'clairvoyance';
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  /**
   * Patch `ref`'s status from `currentStatus` to `desiredStatus`. Returns the
   * updated object (record its resourceVersion), or undefined when the status
   * already matches (no request is made).
   */
  async patchStatusIfChanged<T extends KubernetesObject>(
    ref: ObjectRef,
    currentStatus: unknown,
    desiredStatus: unknown,
    opts: PatchStatusOptions = {},
  ): Promise<T | undefined> {
    if (ref.group === '') throw new Error('StatusWriter: core-group resources are not supported');
    const statusPatch = createMergePatch(currentStatus ?? {}, desiredStatus ?? {});
    if (statusPatch === undefined) return undefined;
    const body: Record<string, unknown> = { status: statusPatch };
    if (opts.resourceVersion) body.metadata = { resourceVersion: opts.resourceVersion };
    // The request's own deadline bounds the write (and frees its socket).
    const write = (): Promise<T> => this.send<T>(ref, body);
    const guard = this.opts.guard;
    return guard ? guard.guardWrite(keyOf(ref.namespace, ref.name), write) : write();
  }

  private send<T extends KubernetesObject>(ref: ObjectRef, body: object): Promise<T> {
    return new ResourceClient<T>(this.kube, ref).patchStatus(ref.namespace, ref.name, body, 'merge', {
      query: { fieldManager: this.fieldManager },
      timeoutMs: this.timeoutMs,
    });
  }
}
