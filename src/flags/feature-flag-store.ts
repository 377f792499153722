// An OpenFeature Operator FeatureFlag (core.openfeature.dev/v1beta1): flagd
// definitions under spec.flagSpec.flags. Used only when its CRD is installed;
// otherwise every call fails with a clear CrdNotInstalled error.
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { ResourceClient } from '../kube/resource-client.js';
import type { ResourceRef } from '../kube/resource.js';
import { createMergePatch } from '../kube/json-diff.js';
import { isNotFound, statusCodeOf } from '../kube/errors.js';
import type { FlagState } from './flagd-format.js';
import { validateFlag } from './flagd-format.js';
import type { FlagStore, UpdateOptions } from './store.js';
import { DEFAULT_FIELD_MANAGER, FlagSourceError, nextFlag, retryOnConflict } from './store.js';

export const FEATURE_FLAG_GROUP = 'core.openfeature.dev';
export const FEATURE_FLAG_VERSION = 'v1beta1';
export const FEATURE_FLAG_PLURAL = 'featureflags';
export const FEATURE_FLAG_CRD = `${FEATURE_FLAG_PLURAL}.${FEATURE_FLAG_GROUP}`;

export const FEATURE_FLAGS: ResourceRef = { group: FEATURE_FLAG_GROUP, version: FEATURE_FLAG_VERSION, plural: FEATURE_FLAG_PLURAL };

export interface FeatureFlagRef {
  namespace: string;
  name: string;
}

export interface FeatureFlagObject {
  metadata?: { resourceVersion?: string };
  spec?: { flagSpec?: { flags?: Record<string, unknown> } };
}

/**
 * Answers "is the FeatureFlag CRD installed and serving v1beta1?", remembering
 * the answer briefly so a busy controller does not read the CRD on every call.
 */
export class FeatureFlagCrdProbe {
  private cached: { at: number; installed: boolean } | undefined;

  constructor(
    private readonly crds: Pick<ResourceClient<V1CustomResourceDefinition>, 'get'>,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async installed(): Promise<boolean> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.installed;
    let installed: boolean;
    try {
      const crd = await this.crds.get(undefined, FEATURE_FLAG_CRD);
      installed = crd.spec.versions.some((v) => v.name === FEATURE_FLAG_VERSION && v.served);
    } catch (err) {
      if (isNotFound(err)) installed = false;
      // Without RBAC to read CRDs, assume installed: the object read then tells the truth.
      else if (statusCodeOf(err) === 403) installed = true;
      else throw err;
    }
    this.cached = { at: this.now(), installed };
    return installed;
  }
}

export class FeatureFlagStore implements FlagStore {
  readonly description: string;

  constructor(
    private readonly flags: Pick<ResourceClient<FeatureFlagObject>, 'get' | 'patch'>,
    private readonly crd: FeatureFlagCrdProbe,
    private readonly ref: FeatureFlagRef,
    private readonly opts: UpdateOptions = {},
  ) {
    this.description = `FeatureFlag ${ref.namespace}/${ref.name}`;
  }

  async read(key: string): Promise<FlagState | undefined> {
    const { flags } = await this.load();
    return this.flagOf(flags, key);
  }

  async update(key: string, mutate: (flag: FlagState) => FlagState): Promise<void> {
    await retryOnConflict(`update flag ${key} in ${this.description}`, this.opts.maxAttempts ?? 5, async () => {
      const { obj, flags } = await this.load();
      const current = this.flagOf(flags, key);
      if (!current) throw new FlagSourceError('FlagNotFound', `flag ${key} is not defined in ${this.description}`);
      const next = nextFlag(key, current, mutate, ['spec', 'flagSpec', 'flags', key]);
      if (!next) return;
      // Merge patch of just this flag, conditional on the resourceVersion read.
      const body = {
        metadata: { resourceVersion: obj.metadata?.resourceVersion },
        spec: { flagSpec: { flags: { [key]: createMergePatch(flags[key], next) ?? {} } } },
      };
      await this.flags.patch(this.ref.namespace, this.ref.name, body, 'merge', { query: { fieldManager: this.opts.fieldManager ?? DEFAULT_FIELD_MANAGER } });
    });
  }

  private flagOf(flags: Record<string, unknown>, key: string): FlagState | undefined {
    if (!(key in flags)) return undefined;
    const valid = validateFlag(flags[key], ['spec', 'flagSpec', 'flags', key]);
    if (!valid.ok) throw new FlagSourceError('InvalidSource', `${this.description} holds an invalid flag ${key}`, valid.errors);
    return valid.value;
  }

  private async load(): Promise<{ obj: FeatureFlagObject; flags: Record<string, unknown> }> {
    if (!(await this.crd.installed())) {
      throw new FlagSourceError(
        'CrdNotInstalled',
        `FeatureFlag CRD not installed: ${FEATURE_FLAG_CRD} (${FEATURE_FLAG_VERSION}) is not served by this cluster`,
      );
    }
    let obj: FeatureFlagObject;
    try {
      obj = await this.flags.get(this.ref.namespace, this.ref.name);
    } catch (err) {
      if (isNotFound(err)) throw new FlagSourceError('SourceNotFound', `${this.description} does not exist`);
      throw err;
    }
    const flags = obj.spec?.flagSpec?.flags;
    if (flags === undefined || flags === null || typeof flags !== 'object' || Array.isArray(flags)) {
      throw new FlagSourceError('InvalidSource', `${this.description} has no spec.flagSpec.flags object`);
    }
    return { obj, flags };
  }
}
