import { GATED_NAMESPACE_LABEL, workloadSchema, workloadShapeError, type ParsedWorkload } from '../api/index.js';
import type { PolicySource } from '../gates/index.js';
import type { LedgerEntry } from '../ledger/identity.js';
import type { Logger } from '../telemetry/logger.js';
import { isRecord, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import type { WebhookMetrics } from './metrics.js';

export interface ReviewDeps {
  source: PolicySource;
  logger: Logger;
  metrics?: WebhookMetrics | undefined;
  now?: () => Date;
  /** Records denials in the change ledger, in the background: the answer never waits on it. */
  recordChanges?: ((namespace: string, entries: LedgerEntry[]) => void) | undefined;
}

/** Answers one admission request; the app wraps it with parsing, errors and metrics. */
export type ReviewHandler = (request: AdmissionRequest, deps: ReviewDeps) => AdmissionResponse;

/** The namespace of the request: on CREATE the object itself often carries none. */
export function requestNamespace(request: AdmissionRequest): string {
  const meta = isRecord(request.object) && isRecord(request.object.metadata) ? request.object.metadata : {};
  return request.namespace ?? (typeof meta.namespace === 'string' ? meta.namespace : '');
}

/** Only namespaces labelled clairvoyance.dev/gated=true are denied; elsewhere findings warn. */
export function isGated(source: PolicySource, namespace: string): boolean {
  return source.namespace(namespace)?.metadata?.labels?.[GATED_NAMESPACE_LABEL] === 'true';
}

/**
 * The Deployment as it will be stored, with its namespace filled in. Throws on shapes no
 * API server would send, which the app turns into a 400 denial rather than a guess.
 */
export function deploymentOf(value: unknown, namespace: string): ParsedWorkload {
  if (!isRecord(value)) throw new MalformedObjectError('object is not a JSON object');
  const meta = value.metadata;
  if (meta !== undefined && meta !== null && !isRecord(meta)) throw new MalformedObjectError('metadata is not an object');
  const parsed = workloadSchema.safeParse(value);
  if (!parsed.success) throw new MalformedObjectError(workloadShapeError(value) ?? 'not a Deployment');
  return { ...parsed.data, metadata: { ...parsed.data.metadata, namespace } };
}

export class MalformedObjectError extends Error {
  override readonly name = 'MalformedObjectError';
}
