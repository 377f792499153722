import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { errorMessage, isNotFound } from './errors.js';
import { silentLogger } from './logger.js';
import type { KubeLogger } from './logger.js';
import type { KubeConfigLike } from './rest.js';
import { ResourceClient } from './resource-client.js';
import { CORE_EVENTS } from './resource.js';

export type EventType = 'Normal' | 'Warning';

/** Records a core/v1 Event about an object. Never rejects: failures are logged. */
export interface EventRecorder {
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void>;
}

export const REPORTING_CONTROLLER = 'clairvoyance.dev/controller';

export interface EventRecorderOptions {
  component?: string;
  /** reportingInstance: which replica emitted the event. Defaults to the hostname. */
  instance?: string;
  /** Repeats of the same reason+message on the same object within this window bump `count`. Default 10 min. */
  aggregateWindowMs?: number;
  /** Bound on remembered series, oldest dropped first, to keep memory flat. */
  maxTracked?: number;
  requestTimeoutMs?: number;
  logger?: KubeLogger;
  now?: () => number;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  lastAt: number;
}

const MAX_MESSAGE = 1024;

export class KubeEventRecorder implements EventRecorder {
  private readonly events: ResourceClient<CoreV1Event>;
  private readonly component: string;
  private readonly instance: string;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly timeoutMs: number;
  private readonly log: KubeLogger;
  private readonly now: () => number;
  /** Insertion-ordered, so the first entry is the least recently used. */
  private readonly series = new Map<string, Series>();
  /** Serialises writes per series so two quick repeats patch rather than create twice. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(kc: KubeConfigLike, opts: EventRecorderOptions = {}) {
    this.events = ResourceClient.of<CoreV1Event>(kc, CORE_EVENTS);
    this.component = opts.component ?? REPORTING_CONTROLLER;
    this.instance = (opts.instance ?? hostname()).slice(0, 128);
    this.windowMs = opts.aggregateWindowMs ?? 600_000;
    this.maxTracked = opts.maxTracked ?? 4096;
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  event(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    try {
      const meta = obj.metadata ?? {};
      const seriesKey = [meta.uid ?? `${meta.namespace ?? ''}/${meta.name ?? ''}`, obj.kind, type, reason, message].join('\u0000');
      const prev = this.chains.get(seriesKey) ?? Promise.resolve();
      const next = prev
        .then(() => this.record(seriesKey, obj, type, reason, message))
        .catch((err: unknown) => {
          this.log.warn({ kind: obj.kind, name: meta.name, namespace: meta.namespace, reason, err: errorMessage(err) }, 'failed to record event');
        })
        .finally(() => {
          if (this.chains.get(seriesKey) === next) this.chains.delete(seriesKey);
        });
      this.chains.set(seriesKey, next);
      return next;
    } catch (err) {
      this.log.warn({ reason, err: errorMessage(err) }, 'failed to record event');
      return Promise.resolve();
    }
  }

  private async record(seriesKey: string, obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const nowMs = this.now();
    const existing = this.series.get(seriesKey);
    if (existing && nowMs - existing.lastAt <= this.windowMs) {
      try {
        await this.events.patch(existing.namespace, existing.name, { count: existing.count + 1, lastTimestamp: new Date(nowMs).toISOString() }, 'merge', {
          timeoutMs: this.timeoutMs,
        });
        existing.count++;
        existing.lastAt = nowMs;
        this.touch(seriesKey, existing);
        return;
      } catch (err) {
        // The Event may have expired (the API server drops them after its TTL): start a new one.
        if (!isNotFound(err)) throw err;
      }
    }
    const created = await this.events.create(this.namespaceFor(obj), this.build(obj, type, reason, message, nowMs), { timeoutMs: this.timeoutMs });
    this.touch(seriesKey, {
      name: created.metadata?.name ?? '',
      namespace: created.metadata?.namespace ?? this.namespaceFor(obj),
      count: 1,
      lastAt: nowMs,
    });
  }

  private namespaceFor(obj: KubernetesObject): string {
    // Events about cluster-scoped objects live in "default", as client-go does.
    return obj.metadata?.namespace || 'default';
  }

  private build(obj: KubernetesObject, type: EventType, reason: string, message: string, nowMs: number): CoreV1Event {
    const meta = obj.metadata ?? {};
    const at = new Date(nowMs);
    // Name like client-go's "<object>.<hex time>", with a random tail against collisions.
    const name = `${(meta.name ?? 'object').slice(0, 200)}.${nowMs.toString(16)}${randomBytes(4).toString('hex')}`;
    return {
      metadata: { name, namespace: this.namespaceFor(obj) },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
  }

  private touch(key: string, s: Series): void {
    this.series.delete(key);
    this.series.set(key, s);
    if (this.series.size > this.maxTracked) {
      const oldest = this.series.keys().next();
      if (!oldest.done) this.series.delete(oldest.value);
    }
  }
}
