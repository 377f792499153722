// Where a rollout's flag lives. Two stores implement one small interface: a
// flagd JSON document in a ConfigMap, and an OpenFeature Operator FeatureFlag.
import { isDeepStrictEqual } from 'node:util';
import { isConflict } from '../kube/errors.js';
import type { FlagState } from './flagd-format.js';
import { validateFlag } from './flagd-format.js';

export type { FlagState } from './flagd-format.js';

export interface FlagStore {
  /** The flag, or undefined when its source exists but does not define it. */
  read(key: string): Promise<FlagState | undefined>;
  /**
   * Read-modify-write of one flag under optimistic concurrency. `mutate` gets a
   * copy; returning an equal flag writes nothing. Throws FlagSourceError
   * (reason FlagNotFound) when the flag does not exist.
   */
  update(key: string, mutate: (flag: FlagState) => FlagState): Promise<void>;
  /** Human-readable name of the source, e.g. `ConfigMap shop/flags (flags.flagd.json)`. */
  readonly description: string;
}

export const FLAG_SOURCE_ERROR_REASONS = [
  /** The ConfigMap or FeatureFlag does not exist (or the ConfigMap lacks the data key). */
  'SourceNotFound',
  /** The featureflags.core.openfeature.dev CRD is not installed. */
  'CrdNotInstalled',
  /** The source exists but does not hold valid flagd definitions. */
  'InvalidSource',
  /** The flag is not defined in the source. */
  'FlagNotFound',
  /** A write would produce an invalid flag (e.g. a variant that does not exist). */
  'InvalidFlag',
  /** Concurrent writers kept winning; the write gave up. */
  'Conflict',
] as const;
export type FlagSourceErrorReason = (typeof FLAG_SOURCE_ERROR_REASONS)[number];

/** A problem with the flag's source that a person must fix (not a transient API error). */
export class FlagSourceError extends Error {
  constructor(
    readonly reason: FlagSourceErrorReason,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(details.length ? `${message}: ${details.join('; ')}` : message);
    this.name = 'FlagSourceError';
  }
}

export interface UpdateOptions {
  /** Attempts before giving up on resourceVersion conflicts; default 5. */
  maxAttempts?: number;
  /** Field manager recorded on writes; default `clairvoyance`. */
  fieldManager?: string;
}

export const DEFAULT_FIELD_MANAGER = 'clairvoyance';

/**
 * Runs `attempt` until it does not hit a 409 Conflict, with a short jittered
 * pause between tries so two writers do not collide in lockstep.
 */
export async function retryOnConflict<T>(what: string, maxAttempts: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (i >= maxAttempts) throw new FlagSourceError('Conflict', `${what}: still conflicting after ${maxAttempts} attempts`);
      await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 40 * i));
    }
  }
}

/**
 * Applies `mutate` to a copy of `current` and validates the result. Returns
 * undefined when nothing changes, so the caller skips the write.
 */
export function nextFlag(key: string, current: FlagState, mutate: (flag: FlagState) => FlagState, path: readonly PropertyKey[]): FlagState | undefined {
  const next = mutate(structuredClone(current));
  if (isDeepStrictEqual(JSON.parse(JSON.stringify(next)), JSON.parse(JSON.stringify(current)))) return undefined;
  const valid = validateFlag(next, path);
  if (!valid.ok) throw new FlagSourceError('InvalidFlag', `refusing to write an invalid flag ${key}`, valid.errors);
  return next;
}
