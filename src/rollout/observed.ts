// What the rollout core sees: plain data gathered by the controller shell.
import type { AnalysisRunStatus, Finding, RolloutSpec, RolloutStatus } from '../api/index.js';
import type { TrafficView } from './traffic.js';

export interface ReplicaSetView {
  name: string;
  revision: string;
  replicas: number;
  readyReplicas: number;
  /** Deadline after which a replaced revision is scaled to zero (annotation on the ReplicaSet). */
  scaleDownAt?: string;
}

export interface WorkloadView {
  /** Hash of the Deployment's pod template: the desired revision. */
  revision: string;
  /** The Deployment's own replica count; held at zero once adopted. */
  replicas: number;
  templateAnnotations: Record<string, string>;
  /** When the API server admitted the newest template (stamped by the webhook), if known. */
  admittedAt?: string;
  /** The Deployment's pod selector, as a label-selector string (scale subresource). */
  selector: string;
}

/** The gate chain's verdict for a revision; `passed` when no gate is configured. */
export interface GateVerdict {
  passed: boolean;
  findings: Finding[];
  message?: string;
}

export interface RolloutView {
  name: string;
  namespace: string;
  generation: number;
  spec: RolloutSpec;
  status: RolloutStatus;
}

export interface ObservedState {
  now: Date;
  rollout: RolloutView;
  /** Undefined when the referenced Deployment does not exist. */
  workload: WorkloadView | undefined;
  replicaSets: ReplicaSetView[];
  /** Present when the shell evaluated the gates for the desired revision. */
  gate?: GateVerdict;
  /** Analysis runs the shell advanced this reconcile (replacing those of the same name). */
  analysisRuns?: AnalysisRunStatus[];
  /** What the traffic router reports (traffic.gatewayAPI); absent with the replicas router. */
  traffic?: TrafficView;
}
