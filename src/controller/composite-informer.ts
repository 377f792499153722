// Several namespaced informers behind one SharedInformer, for a controller that
// watches a list of namespaces without cluster-wide read access.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SharedInformer } from '../kube/index.js';

type Handler<T> = ((obj: T) => void) | ((obj: T, old: T) => void) | ((info: { startedAt: number }) => void);

export class CompositeInformer<T extends KubernetesObject> implements SharedInformer<T> {
  readonly name: string;

  constructor(private readonly parts: ReadonlyMap<string, SharedInformer<T>>) {
    this.name = [...parts.values()].map((p) => p.name).join('+');
  }

  start(): void {
    for (const p of this.parts.values()) p.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.parts.values()].map((p) => p.stop()));
  }

  msSinceActivity(): number {
    return Math.max(0, ...[...this.parts.values()].map((p) => p.msSinceActivity()));
  }

  hasSynced(): boolean {
    return [...this.parts.values()].every((p) => p.hasSynced());
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return namespace ? this.parts.get(namespace)?.get(namespace, name) : undefined;
  }

  list(namespace?: string): T[] {
    if (namespace) return this.parts.get(namespace)?.list(namespace) ?? [];
    return [...this.parts.values()].flatMap((p) => p.list());
  }

  byIndex(index: string, key: string): T[] {
    return [...this.parts.values()].flatMap((p) => p.byIndex(index, key));
  }

  on(event: 'add' | 'delete', handler: (obj: T) => void): () => void;
  on(event: 'update', handler: (obj: T, old: T) => void): () => void;
  on(event: 'relist', handler: (info: { startedAt: number }) => void): () => void;
  on(event: 'add' | 'update' | 'delete' | 'relist', handler: Handler<T>): () => void {
    const offs = [...this.parts.values()].map((p) => (p.on as (e: string, h: Handler<T>) => () => void)(event, handler));
    return () => {
      for (const off of offs) off();
    };
  }
}
