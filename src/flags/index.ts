// Public surface of the flag subsystem: stores, driver, gate and the flagd format.
export { ConfigMapFlagStore, spliceFlag } from './configmap-store.js';
export type { ConfigMapRef } from './configmap-store.js';
export { FEATURE_FLAG_CRD, FeatureFlagCrdProbe, FeatureFlagStore } from './feature-flag-store.js';
export type { FeatureFlagRef } from './feature-flag-store.js';
export { StoreFlagDriver, flagAtPercent, killedFlag, promotedFlag } from './flag-driver.js';
export type { DriverTarget } from './flag-driver.js';
export { FLAG_RULES, FlagGateEvaluator, flagFindings, originOf } from './flag-gate.js';
export { flagDefinitionSchema, flagdDocumentSchema, fractionalTargeting, parseFlagdDocument, validateFlag, validateFlagdDocument } from './flagd-format.js';
export type { FlagdDocument, FlagState, JsonValue } from './flagd-format.js';
export { FlagSourceError } from './store.js';
export type { FlagSourceErrorReason, FlagStore, UpdateOptions } from './store.js';
export { KubeFlagStores } from './stores.js';
export type { FlagStoreProvider, KubeFlagStoresOptions } from './stores.js';
