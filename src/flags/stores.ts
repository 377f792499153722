// Picks the store for a Rollout's spec.flag.source. One provider per process:
// it shares API clients and the FeatureFlag CRD probe across rollouts.
import type { V1ConfigMap, V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { CORE_CONFIGMAPS, CUSTOM_RESOURCE_DEFINITIONS } from '../kube/resource.js';
import type { FlagSource } from '../api/rollout.js';
import { ConfigMapFlagStore } from './configmap-store.js';
import { FEATURE_FLAGS, FeatureFlagCrdProbe, FeatureFlagStore, type FeatureFlagObject } from './feature-flag-store.js';
import type { FlagStore, UpdateOptions } from './store.js';

export interface FlagStoreProvider {
  storeFor(namespace: string, source: FlagSource): FlagStore;
}

export interface KubeFlagStoresOptions extends UpdateOptions {
  /** How long the FeatureFlag CRD probe trusts its answer; default 30s. */
  crdProbeTtlMs?: number;
}

const DEFAULT_CONFIGMAP_KEY = 'flags.flagd.json';

export class KubeFlagStores implements FlagStoreProvider {
  private readonly configMaps: ResourceClient<V1ConfigMap>;
  private readonly featureFlags: ResourceClient<FeatureFlagObject>;
  private readonly crd: FeatureFlagCrdProbe;

  constructor(
    kc: KubeConfigLike,
    private readonly opts: KubeFlagStoresOptions = {},
  ) {
    this.configMaps = ResourceClient.of<V1ConfigMap>(kc, CORE_CONFIGMAPS);
    this.featureFlags = ResourceClient.of<FeatureFlagObject>(kc, FEATURE_FLAGS);
    this.crd = new FeatureFlagCrdProbe(ResourceClient.of<V1CustomResourceDefinition>(kc, CUSTOM_RESOURCE_DEFINITIONS), opts.crdProbeTtlMs);
  }

  storeFor(namespace: string, source: FlagSource): FlagStore {
    if (source.configMap) {
      const { name, key } = source.configMap;
      return new ConfigMapFlagStore(this.configMaps, { namespace, name, key: key ?? DEFAULT_CONFIGMAP_KEY }, this.opts);
    }
    if (source.featureFlag) {
      return new FeatureFlagStore(this.featureFlags, this.crd, { namespace, name: source.featureFlag.name }, this.opts);
    }
    throw new Error('spec.flag.source names neither configMap nor featureFlag');
  }
}
