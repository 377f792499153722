import { hasErrors, validateDocument } from '../api/index.js';
import { allow, deny, isRecord } from './admission-review.js';
import type { ReviewHandler } from './handler.js';

/**
 * Rollouts, templates and policies get the same semantic validation as `clairvoyance
 * lint` (PromQL parses, CEL compiles, durations, args): one validator for both, so a
 * template that cannot run is refused at `kubectl apply`, not found out in a canary.
 */
export const validateResource: ReviewHandler = (request) => {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow(request.uid);
  const issues = validateDocument(request.object);
  const line = (i: (typeof issues)[number]): string => `${i.path === '' ? '' : `${i.path}: `}${i.message} (fix: ${i.fix})`;
  const warnings = issues.filter((i) => i.severity === 'warning').map(line);
  const extra = warnings.length > 0 ? { warnings } : {};
  if (!hasErrors(issues)) return allow(request.uid, extra);
  const kind = isRecord(request.object) && typeof request.object.kind === 'string' ? request.object.kind : request.kind.kind;
  const errors = issues.filter((i) => i.severity === 'error').map((i) => `- ${line(i)}`);
  return deny(request.uid, 422, [`${kind} ${request.name ?? ''} is invalid:`, ...errors].join('\n'), extra);
};
