import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage, isConflict, withTimeout } from './errors.js';
import { coordinationLeaseClient } from './lease-client.js';
import type { LeaseClient } from './lease-client.js';
import { acquireSpec, canAcquire, leaseFingerprint, releaseSpec, type Lease } from './lease-record.js';
import type { KubeConfigLike } from './rest.js';
import { silentLogger } from './logger.js';
import type { KubeLogger } from './logger.js';

// Leader election on a coordination.k8s.io/v1 Lease, after client-go:
//  - candidates retry every retryPeriod (with jitter) and take the lease when
//    it is free, released, or unrenewed for leaseDuration since they last saw
//    it change;
//  - the leader renews every retryPeriod; every write carries the observed
//    resourceVersion, so two candidates cannot both win a race;
//  - a leader that has not renewed successfully within renewDeadline of its
//    last successful renewal stops leading at once, by timer, even while a
//    request hangs. Others need leaseDuration (> renewDeadline) from the last
//    renewal they saw, so the old leader has stopped before anyone can take over;
//  - release() stops leading first, then writes an empty holder with a 1 s
//    duration so the next replica takes over at its next retry.

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Defaults to `<hostname>_<random>`, unique per process. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger?: KubeLogger;
  /** Called when the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  /** Override the Lease API client (e.g. to inject faults in tests). */
  leaseClient?: LeaseClient;
}

export interface LeaderCallbacks {
  /** Start the leader's work; `signal` aborts the moment leadership is lost. Not awaited. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once when leadership ends (lost or released), before the lease can pass to another replica. */
  onStoppedLeading: () => void;
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(5).toString('hex')}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly client: LeaseClient;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: KubeLogger;

  private observed: Lease | undefined;
  private observedFingerprint = '';
  private observedAt = 0;
  private lastHolder: string | undefined;

  private running = false;
  private stopped = false;
  private leading = false;
  private callbacks: LeaderCallbacks | undefined;
  private leaderAbort: AbortController | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private runPromise: Promise<void> | undefined;

  constructor(
    kc: KubeConfigLike,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.identity = opts.identity ?? defaultIdentity();
    this.client = opts.leaseClient ?? coordinationLeaseClient(kc);
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.log = opts.logger ?? silentLogger;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaign for the lease, lead while it is held, and resolve once leadership
   * ends (lost, released or stopped). Call again to campaign anew.
   */
  run(callbacks: LeaderCallbacks): Promise<void> {
    if (this.running) throw new Error('leader election is already running');
    this.running = true;
    this.stopped = false;
    this.callbacks = callbacks;
    this.runPromise = this.loop().finally(() => {
      this.running = false;
    });
    return this.runPromise;
  }

  /** Stop campaigning and leading without touching the lease (it expires on its own). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.lose('stopped');
    this.wake?.();
    await this.runPromise?.catch(() => undefined);
  }

  /** Stop leading, then hand the lease over if we hold it: empty holder, 1 s duration. */
  async release(): Promise<void> {
    await this.stop();
    try {
      const lease = await withTimeout(this.client.get(this.opts.namespace, this.opts.name), this.renewDeadlineMs, 'lease read');
      if (!lease || lease.spec?.holderIdentity !== this.identity) return;
      lease.spec = releaseSpec(lease.spec, new Date());
      await withTimeout(this.client.replace(this.opts.namespace, this.opts.name, lease), this.renewDeadlineMs, 'lease release');
      this.log.info({ lease: this.leaseName(), identity: this.identity }, 'released leader lease');
    } catch (err) {
      this.log.warn({ lease: this.leaseName(), err: errorMessage(err) }, 'failed to release leader lease; it will expire');
    }
  }

  private leaseName(): string {
    return `${this.opts.namespace}/${this.opts.name}`;
  }

  private async loop(): Promise<void> {
    // Campaign.
    for (;;) {
      if (this.stopped) return;
      const sentAt = performance.now();
      const acquired = await this.attempt();
      // Stopped while the request was in flight: do not start leading (release() still frees the lease).
      if (this.stopped) return;
      if (acquired) {
        this.becomeLeader(sentAt);
        break;
      }
      await this.sleep(this.retryPeriodMs * (1 + 0.2 * Math.random()));
    }
    // Lead: renew every retryPeriod until lost or stopped.
    while (this.leading && !this.stopped) {
      await this.sleep(this.retryPeriodMs);
      if (!this.leading || this.stopped) break;
      const sentAt = performance.now();
      const ok = await this.attempt();
      if (!this.leading) break;
      if (ok) {
        this.armDeadline(sentAt);
      } else if (this.lastHolder !== undefined && this.lastHolder !== this.identity) {
        this.lose(`lease taken by ${this.lastHolder}`);
      }
      // Otherwise a transient failure: keep trying until the deadline timer fires.
    }
  }

  private becomeLeader(sentAt: number): void {
    this.leading = true;
    this.leaderAbort = new AbortController();
    this.armDeadline(sentAt);
    this.log.info({ lease: this.leaseName(), identity: this.identity }, 'became leader');
    const signal = this.leaderAbort.signal;
    try {
      Promise.resolve(this.callbacks?.onStartedLeading(signal)).catch((err: unknown) => {
        this.log.error({ err: errorMessage(err) }, 'onStartedLeading failed');
      });
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'onStartedLeading failed');
    }
  }

  /** Stop leading `renewDeadline` after the last successful renewal was sent, unless renewed again. */
  private armDeadline(lastRenewSentAt: number): void {
    clearTimeout(this.deadlineTimer);
    const remaining = this.renewDeadlineMs - (performance.now() - lastRenewSentAt);
    this.deadlineTimer = setTimeout(() => this.lose('failed to renew lease before the renew deadline'), Math.max(0, remaining));
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.leaderAbort?.abort(new Error(reason));
    this.wake?.();
    const log = reason === 'stopped' ? this.log.info.bind(this.log) : this.log.warn.bind(this.log);
    log({ lease: this.leaseName(), identity: this.identity, reason }, 'stopped leading');
    try {
      this.callbacks?.onStoppedLeading();
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'onStoppedLeading failed');
    }
  }

  /** One try to acquire or renew; false when held by another or on any error. */
  private async attempt(): Promise<boolean> {
    try {
      return await withTimeout(this.tryAcquireOrRenew(), this.renewDeadlineMs, 'lease acquire/renew');
    } catch (err) {
      this.log.warn({ lease: this.leaseName(), err: errorMessage(err) }, 'lease acquire/renew failed');
      return false;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name } = this.opts;
    const durationS = Math.ceil(this.leaseDurationMs / 1000);
    // Fast path: the leader renews on top of the lease it last wrote.
    if (this.leading && this.observed?.spec?.holderIdentity === this.identity) {
      try {
        const renewed = await this.client.replace(namespace, name, {
          ...this.observed,
          spec: acquireSpec(this.observed.spec, this.identity, durationS, new Date()),
        });
        this.setObserved(renewed);
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Someone else wrote the lease: re-read and decide below.
      }
    }
    const lease = await this.client.get(namespace, name);
    if (!lease) {
      try {
        const created = await this.client.create(namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: acquireSpec(undefined, this.identity, durationS, new Date()),
        });
        this.setObserved(created);
        return true;
      } catch (err) {
        if (isConflict(err)) return false; // another candidate created it first
        throw err;
      }
    }
    this.setObserved(lease);
    const spec = lease.spec;
    const held = !canAcquire({
      holder: spec?.holderIdentity,
      me: this.identity,
      observedAtMs: this.observedAt,
      leaseDurationMs: (spec?.leaseDurationSeconds ?? durationS) * 1000,
      nowMs: performance.now(),
    });
    if (held) return false;
    try {
      const updated = await this.client.replace(namespace, name, {
        ...lease,
        spec: acquireSpec(spec, this.identity, durationS, new Date()),
      });
      this.setObserved(updated);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private setObserved(lease: Lease): void {
    this.observed = lease;
    const fp = leaseFingerprint(lease.spec);
    if (fp !== this.observedFingerprint) {
      this.observedFingerprint = fp;
      this.observedAt = performance.now();
    }
    const holder = lease.spec?.holderIdentity || undefined;
    if (holder !== this.lastHolder) {
      this.lastHolder = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
