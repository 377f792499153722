// Clairvoyance's objects as the API server serves them, before their spec is parsed: what
// the controller's caches, the CLI and the webhook hold. Structural, so client-node's
// objects fit without this module depending on it.
import type { AnalysisTemplateSpec } from './analysis-template.js';
import type { ChangeSpec, ChangeStatus } from './change.js';
import type { RolloutStatus } from './rollout.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta, as far as this code reads it. */
export interface ServedMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Date;
  deletionTimestamp?: Date;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface ServedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ServedMetadata;
}

/** A Rollout as served: spec is validated by the reconciler before use. */
export interface RolloutObject extends ServedObject {
  spec?: unknown;
  status?: RolloutStatus;
}

export interface AnalysisTemplateObject extends ServedObject {
  spec?: AnalysisTemplateSpec;
}

/** A Change as served; parsed before folding. */
export interface ChangeObject extends ServedObject {
  spec?: ChangeSpec;
  status?: ChangeStatus;
}
