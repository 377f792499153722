// In-memory flag stores for pure unit tests of the driver and the gate. They
// share the real stores' update semantics (nextFlag: copy, validate, skip
// no-op writes); the Kubernetes-backed stores are tested against the API server.
import type { FlagSource, RolloutSpec, RolloutSpecInput } from '../../../src/api/rollout.js';
import { rolloutSpecSchema } from '../../../src/api/rollout.js';
import type { FlagState } from '../../../src/flags/flagd-format.js';
import type { FlagStore } from '../../../src/flags/store.js';
import { FlagSourceError, nextFlag } from '../../../src/flags/store.js';
import type { FlagStoreProvider } from '../../../src/flags/stores.js';

export class MemoryFlagStore implements FlagStore {
  readonly description = 'ConfigMap shop/flags (key flags.flagd.json)';
  writes = 0;
  failure: FlagSourceError | Error | undefined;

  constructor(public flags: Record<string, FlagState> = {}) {}

  async read(key: string): Promise<FlagState | undefined> {
    if (this.failure) throw this.failure;
    return this.flags[key];
  }

  async update(key: string, mutate: (flag: FlagState) => FlagState): Promise<void> {
    if (this.failure) throw this.failure;
    const current = this.flags[key];
    if (!current) throw new FlagSourceError('FlagNotFound', `flag ${key} is not defined`);
    const next = nextFlag(key, current, mutate, ['flags', key]);
    if (!next) return;
    this.writes++;
    this.flags[key] = next;
  }
}

export class MemoryStores implements FlagStoreProvider {
  readonly requested: { namespace: string; source: FlagSource }[] = [];
  constructor(readonly store: MemoryFlagStore) {}
  storeFor(namespace: string, source: FlagSource): FlagStore {
    this.requested.push({ namespace, source });
    return this.store;
  }
}

export function spec(extra: Partial<RolloutSpecInput> = {}): RolloutSpec {
  return rolloutSpecSchema.parse({
    workloadRef: { kind: 'Deployment', name: 'checkout' },
    strategy: { canary: { steps: [{ setFlag: { percent: 10 } }] } },
    ...extra,
  });
}

export const withFlag = (flag: Partial<NonNullable<RolloutSpecInput['flag']>> = {}): RolloutSpec =>
  spec({ flag: { key: 'new-checkout', source: { configMap: { name: 'flags' } }, ...flag } });

export const offFlag = (): FlagState => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' });
