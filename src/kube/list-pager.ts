import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeClient, type KubeConfigLike } from './rest.js';

interface ListPage<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

export interface ListOptions<T> {
  labelSelector?: string;
  fieldSelector?: string;
  pageSize: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Called on each item as its page arrives, before the next page is read: a cache
   * shrinks its objects here, so a large list never holds every object whole at once.
   */
  each?: (item: T) => void;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/**
 * List every object in chunks of `pageSize`. No resourceVersion is sent, so the
 * list is a consistent read from etcd: it reflects every write that completed
 * before it started (the stale guard relies on this). All pages share one
 * snapshot; an expired continue token surfaces as 410 and the caller relists.
 */
export async function listAll<T extends KubernetesObject>(kc: KubeConfigLike, path: string, opts: ListOptions<T>): Promise<ListResult<T>> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  const kube = KubeClient.for(kc);
  do {
    const page = await kube.get<ListPage<T>>(path, {
      query: {
        limit: opts.pageSize,
        continue: cont,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      },
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    });
    for (const item of page.items ?? []) {
      opts.each?.(item);
      items.push(item);
    }
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { items, resourceVersion };
}
