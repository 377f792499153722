/** One problem found in a document, shared by the admission webhook and `clairvoyance lint`. */
export interface ValidationIssue {
  /** Field path such as `spec.metrics[0].provider.prometheus.query`; empty for the whole document. */
  path: string;
  severity: 'error' | 'warning';
  message: string;
  /** What to change to resolve the issue. */
  fix: string;
}

export type Severity = ValidationIssue['severity'];
export type PathSegment = string | number;

/** `['spec', 'steps', 0, 'setWeight']` -> `spec.steps[0].setWeight`. */
export function joinPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? String(s) : `.${String(s)}`;
  }
  return out;
}

export function child(path: string, ...segments: PathSegment[]): string {
  const rest = joinPath(segments);
  if (path === '') return rest;
  return rest.startsWith('[') || rest === '' ? path + rest : `${path}.${rest}`;
}

export function error(path: string, message: string, fix: string): ValidationIssue {
  return { path, severity: 'error', message, fix };
}

export function warning(path: string, message: string, fix: string): ValidationIssue {
  return { path, severity: 'warning', message, fix };
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
