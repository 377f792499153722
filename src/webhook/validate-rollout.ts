import { hasErrors, validateDocument } from '../api/index.js';
import { allow, deny } from './admission-review.js';
import type { ReviewHandler } from './handler.js';

/** Rollouts get the same semantic validation as `clairvoyance lint`: one validator for both. */
export const validateRollout: ReviewHandler = (request) => {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow(request.uid);
  const issues = validateDocument(request.object);
  const line = (i: (typeof issues)[number]): string => `${i.path === '' ? '' : `${i.path}: `}${i.message} (fix: ${i.fix})`;
  const warnings = issues.filter((i) => i.severity === 'warning').map(line);
  const extra = warnings.length > 0 ? { warnings } : {};
  if (!hasErrors(issues)) return allow(request.uid, extra);
  const errors = issues.filter((i) => i.severity === 'error').map((i) => `- ${line(i)}`);
  return deny(request.uid, 422, [`Rollout ${request.name ?? ''} is invalid:`, ...errors].join('\n'), extra);
};
