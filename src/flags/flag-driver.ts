// The rollout's lever on its feature flag: a fractional share during the
// canary, the kill switch on rollback, the on variant as default on promotion.
// Every operation is a read-modify-write that writes nothing when the flag is
// already in the wanted state, so a reconcile loop can repeat it freely.
import type { RolloutSpec } from '../api/rollout.js';
import type { FlagDriver, FlagTarget } from '../rollout/seams.js';
import type { FlagState } from './flagd-format.js';
import { fractionalTargeting } from './flagd-format.js';
import { FlagSourceError } from './store.js';
import type { FlagStoreProvider } from './stores.js';

export interface DriverTarget extends FlagTarget {
  /** Drive this flag key instead of spec.flag.key. */
  flagKey?: string;
}

function requireVariant(key: string, flag: FlagState, variant: string, role: 'offVariant' | 'onVariant'): void {
  if (!(variant in flag.variants)) {
    throw new FlagSourceError(
      'InvalidFlag',
      `flag ${key} has no variant "${variant}" (spec.flag.${role}); its variants are ${Object.keys(flag.variants).join(', ')}`,
    );
  }
}

function withoutTargeting(flag: FlagState): FlagState {
  const next = { ...flag };
  delete next.targeting;
  return next;
}

/** The flag's desired state for a share of `percent` on the on variant. */
export function flagAtPercent(flag: FlagState, off: string, on: string, percent: number): FlagState {
  // Default off: evaluations without a targeting key (which fractional cannot bucket) stay on the safe side.
  if (percent === 0) return withoutTargeting({ ...flag, defaultVariant: off });
  return { ...flag, defaultVariant: off, targeting: fractionalTargeting(on, off, percent) };
}

export function killedFlag(flag: FlagState, off: string): FlagState {
  return withoutTargeting({ ...flag, defaultVariant: off });
}

export function promotedFlag(flag: FlagState, on: string): FlagState {
  return withoutTargeting({ ...flag, defaultVariant: on });
}

export class StoreFlagDriver implements FlagDriver {
  constructor(private readonly stores: FlagStoreProvider) {}

  async setPercent(target: DriverTarget, percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new RangeError(`flag percent must be an integer from 0 to 100, got ${percent}`);
    }
    const flag = this.flagOf(target);
    if (!flag) throw new Error(`rollout ${target.rollout.namespace}/${target.rollout.name} has a setFlag step but no spec.flag`);
    await flag.store.update(flag.key, (f) => {
      target.signal?.throwIfAborted();
      requireVariant(flag.key, f, flag.off, 'offVariant');
      requireVariant(flag.key, f, flag.on, 'onVariant');
      return flagAtPercent(f, flag.off, flag.on, percent);
    });
  }

  async kill(target: DriverTarget): Promise<void> {
    const flag = this.flagOf(target);
    if (!flag) return;
    await flag.store.update(flag.key, (f) => {
      target.signal?.throwIfAborted();
      requireVariant(flag.key, f, flag.off, 'offVariant');
      return killedFlag(f, flag.off);
    });
  }

  async promote(target: DriverTarget): Promise<void> {
    const flag = this.flagOf(target);
    if (!flag) return;
    await flag.store.update(flag.key, (f) => {
      target.signal?.throwIfAborted();
      requireVariant(flag.key, f, flag.on, 'onVariant');
      return promotedFlag(f, flag.on);
    });
  }

  private flagOf(target: DriverTarget) {
    const spec: RolloutSpec = target.spec;
    if (!spec.flag) return undefined;
    return {
      key: target.flagKey ?? spec.flag.key,
      off: spec.flag.offVariant,
      on: spec.flag.onVariant,
      store: this.stores.storeFor(target.rollout.namespace, spec.flag.source),
    };
  }
}
