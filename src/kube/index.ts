// Public surface of the controller runtime.
export { Backoff, DEFAULT_RECONNECT_BACKOFF, exponentialDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { runController } from './controller-runtime.js';
export type {
  ControllerHooks,
  EnqueueFor,
  InformerEventType,
  ReconcileContext,
  ReconcileResult,
  Reconciler,
  RunControllerOptions,
  RunningController,
} from './controller-runtime.js';
export { KubeApiError, errorMessage, isConflict, isGone, isNotFound, statusCodeOf } from './errors.js';
export { KubeEventRecorder, REPORTING_CONTROLLER } from './events.js';
export type { EventRecorder, EventRecorderOptions, EventType } from './events.js';
export { Informer } from './informer.js';
export type { InformerObserver, InformerOptions, RestartReason, SharedInformer, WatchEventType } from './informer.js';
export { deepEqual, createMergePatch } from './json-diff.js';
export { LeaderElector, defaultIdentity } from './leader-election.js';
export type { LeaderCallbacks, LeaderElectionOptions } from './leader-election.js';
export { coordinationLeaseClient } from './lease-client.js';
export type { LeaseClient } from './lease-client.js';
export type { KubeLogger } from './logger.js';
export { silentLogger } from './logger.js';
export { ItemExponentialRateLimiter } from './rate-limiter.js';
export { APPS_DEPLOYMENTS, APPS_REPLICASETS, CORE_CONFIGMAPS, apiVersionOf, collectionPath, keyOf, objectKey, splitKey } from './resource.js';
export type { ResourceRef } from './resource.js';
export { StaleGuard } from './stale-guard.js';
export type { StaleGuardOptions } from './stale-guard.js';
export { StatusWriter } from './status-writer.js';
export type { ObjectRef, PatchStatusOptions, StatusWriterOptions } from './status-writer.js';
export { WorkQueue } from './workqueue.js';
export type { WorkQueueObserver, WorkQueueOptions } from './workqueue.js';
