// Picks the store for a Rollout's spec.flag.source. One provider per process:
// it shares API clients and the FeatureFlag CRD probe across rollouts.
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FlagSource } from '../api/rollout.js';
import { ConfigMapFlagStore } from './configmap-store.js';
import { FeatureFlagCrdProbe, FeatureFlagStore } from './feature-flag-store.js';
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
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly crd: FeatureFlagCrdProbe;

  constructor(
    kc: KubeConfig,
    private readonly opts: KubeFlagStoresOptions = {},
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.crd = new FeatureFlagCrdProbe(kc.makeApiClient(ApiextensionsV1Api), opts.crdProbeTtlMs);
  }

  storeFor(namespace: string, source: FlagSource): FlagStore {
    if (source.configMap) {
      const { name, key } = source.configMap;
      return new ConfigMapFlagStore(this.core, { namespace, name, key: key ?? DEFAULT_CONFIGMAP_KEY }, this.opts);
    }
    if (source.featureFlag) {
      return new FeatureFlagStore(this.custom, this.crd, { namespace, name: source.featureFlag.name }, this.opts);
    }
    throw new Error('spec.flag.source names neither configMap nor featureFlag');
  }
}
