// Writes ledger events into Change resources: read, fold, patch status with the read
// resourceVersion as precondition, and on a conflict read again. Used by the leader's
// reconciles and sweep, and by every webhook replica for denials, so concurrent writers
// never lose each other's events.
import { API_VERSION, CHANGE_KIND, changeSpecSchema, changeStatusSchema, type ChangeEvent, type ChangeSpecInput, type ChangeStatus } from '../api/index.js';
import { errorMessage, isConflict, isNotFound, StatusWriter, type SharedInformer } from '../kube/index.js';
import { isAlreadyExists, isTransient } from '../kube/errors.js';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { applyChangeEvents } from '../ledger/fold.js';
import type { ChangeTarget, LedgerEntry } from '../ledger/identity.js';
import type { Logger } from '../telemetry/logger.js';
import { ROLLOUT_LABEL } from '../api/index.js';
import type { ChangeObject } from '../api/objects.js';
import { CHANGES } from './resources.js';
import { BY_ROLLOUT, workloadKey } from './informers.js';

// Conflicts with other writers and transient API errors: about 10 s of retries at most.
const ATTEMPTS = 20;
/** Jittered backoff between conflicting writes, so a burst of writers spreads out. */
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 10 * 2 ** attempt)));

export interface ChangeLedgerOptions {
  /** The Changes cache, indexed BY_ROLLOUT (createInformers' changes). */
  cache?: SharedInformer<ChangeObject>;
  logger: Logger;
  /** Counts API writes (the controller's apiWrites metric). */
  onWrite?: (verb: string) => void;
}

export class ChangeLedger {
  private readonly changes: ResourceClient<ChangeObject>;
  private readonly writer: StatusWriter;

  constructor(
    kc: KubeConfigLike,
    private readonly opts: ChangeLedgerOptions,
  ) {
    this.changes = ResourceClient.of<ChangeObject>(kc, CHANGES);
    this.writer = new StatusWriter(kc, { fieldManager: 'clairvoyance-ledger' });
  }

  /** Records entries, one Change at a time; a promotion also restores the Rollout's failed changes. */
  async record(namespace: string, entries: readonly LedgerEntry[]): Promise<void> {
    const groups = new Map<string, { target: ChangeTarget; events: ChangeEvent[] }>();
    for (const e of entries) {
      const g = groups.get(e.change.name);
      if (g) {
        g.events.push(e.event);
        // The entry that can create the Change carries its full spec.
        if (g.target.mustExist && !e.change.mustExist) g.target = e.change;
      } else groups.set(e.change.name, { target: e.change, events: [e.event] });
    }
    for (const e of entries) {
      if (e.event.type !== 'Promoted') continue;
      for (const failed of this.failedChanges(namespace, e.change.spec.rollout)) {
        if (failed === e.change.name) continue;
        groups.set(failed, {
          target: { name: failed, spec: { rollout: e.change.spec.rollout }, mustExist: true },
          events: [{ type: 'Restored', at: e.event.at, ...(e.event.revision ? { revision: e.event.revision } : {}) }],
        });
      }
    }
    for (const { target, events } of groups.values()) await this.apply(namespace, target, events);
  }

  /** Deletes a Change (retention); a Change already gone is fine. */
  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.changes.delete(namespace, name);
      this.opts.onWrite?.('delete');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private failedChanges(namespace: string, rollout: string): string[] {
    return (this.opts.cache?.byIndex(BY_ROLLOUT, workloadKey(namespace, rollout)) ?? [])
      .filter((c) => c.spec?.rollout === rollout && c.status?.state === 'Failed' && c.status.restoredAt === undefined)
      .map((c) => c.metadata?.name ?? '')
      .filter((n) => n !== '');
  }

  private async apply(namespace: string, target: ChangeTarget, events: ChangeEvent[]): Promise<void> {
    // The cache first; its answers that would drop the events (no such Change, nothing to
    // change) are confirmed on the API server's copy, since the cache may not show our last write yet.
    let fresh = this.opts.cache === undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        let obj = fresh ? await this.get(namespace, target.name) : this.opts.cache?.get(namespace, target.name);
        if (!obj && !fresh) {
          fresh = true;
          obj = await this.get(namespace, target.name);
        }
        if (!obj) {
          if (target.mustExist) return;
          obj = await this.create(namespace, target.name, target.spec);
          if (!obj) {
            fresh = true;
            continue;
          }
        }
        const spec = changeSpecSchema.safeParse(obj.spec);
        const current = changeStatusSchema.safeParse(obj.status ?? {});
        if (!spec.success || !current.success) {
          this.opts.logger.warn({ change: target.name, namespace }, 'Change has an unreadable spec or status; events not recorded');
          return;
        }
        const next: ChangeStatus = structuredClone(current.data);
        if (!applyChangeEvents(next, events, spec.data)) {
          if (fresh) return;
          fresh = true;
          continue;
        }
        const rv = obj.metadata?.resourceVersion;
        const ref = { ...CHANGES, namespace, name: target.name };
        const written = await this.writer.patchStatusIfChanged(ref, obj.status ?? {}, next, rv ? { resourceVersion: rv } : {});
        if (written) this.opts.onWrite?.('patch');
        return;
      } catch (err) {
        // A lost answer is safe to retry: the fold skips events the Change already holds.
        if (!isConflict(err) && !isNotFound(err) && !isTransient(err)) throw err;
        lastError = err;
        this.opts.logger.debug({ change: target.name, namespace, attempt, err: errorMessage(err) }, 'Change write failed; retrying');
        fresh = true;
        await backoff(attempt);
      }
    }
    throw new Error(`change ${namespace}/${target.name}: not written in ${ATTEMPTS} attempts (last: ${errorMessage(lastError)})`);
  }

  private async get(namespace: string, name: string): Promise<ChangeObject | undefined> {
    return this.changes.find(namespace, name);
  }

  /** Undefined when another writer created it first: the caller reads it again. */
  private async create(namespace: string, name: string, spec: ChangeSpecInput): Promise<ChangeObject | undefined> {
    const body: ChangeObject = {
      apiVersion: API_VERSION,
      kind: CHANGE_KIND,
      metadata: { name, namespace, labels: { [ROLLOUT_LABEL]: spec.rollout } },
      spec: changeSpecSchema.parse(spec),
    };
    try {
      const created = await this.changes.create(namespace, body);
      this.opts.onWrite?.('create');
      return created;
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }
}

/** Logs instead of throwing: for the webhook, whose answer must never wait on the ledger. */
export function recordInBackground(ledger: ChangeLedger, logger: Logger, namespace: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) return;
  void ledger
    .record(namespace, entries)
    .catch((err: unknown) => logger.warn({ err: errorMessage(err), namespace }, 'could not record denial in the change ledger'));
}
