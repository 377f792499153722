import { metricProviderKind, type AnalysisTemplateSpec, type Metric } from '../analysis-template.js';
import { conditionError } from './cel.js';
import { durationMs } from '../durations.js';
import { child, error, warning, type ValidationIssue } from './issue.js';
import { checkPlaceholders, type PlaceholderScope } from './placeholders.js';
import { promqlError } from './promql.js';

/** Semantic checks of an (Cluster)AnalysisTemplate spec that the schema cannot express. */
export function checkAnalysisTemplateSpec(spec: AnalysisTemplateSpec, base = 'spec'): ValidationIssue[] {
  const declared = new Set((spec.args ?? []).map((a) => a.name));
  const used = new Set<string>();
  const issues = spec.metrics.flatMap((metric, i) => checkMetric(metric, child(base, 'metrics', i), declared, used));
  (spec.args ?? []).forEach((arg, i) => {
    if (!used.has(arg.name)) {
      issues.push(
        warning(child(base, 'args', i), `argument "${arg.name}" is declared but no query uses {{args.${arg.name}}}`, 'use it in a query or remove it'),
      );
    }
  });
  return issues;
}

function checkMetric(metric: Metric, path: string, args: ReadonlySet<string>, used: Set<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const kind = metricProviderKind(metric.provider);

  if (durationMs(metric.interval) === 0) {
    issues.push(error(child(path, 'interval'), 'interval must be longer than 0', 'use a positive duration such as 30s'));
  }

  for (const field of ['successCondition', 'failureCondition'] as const) {
    const expression = metric[field];
    if (expression === undefined) continue;
    const reason = conditionError(expression);
    if (reason !== undefined) {
      issues.push(
        error(
          child(path, field),
          `CEL condition does not compile: ${reason}`,
          'write a CEL expression over `result` that returns a bool, e.g. result < 0.01 or result[0] < 0.01',
        ),
      );
    }
    if (kind === 'compare') {
      issues.push(warning(child(path, field), `${field} is ignored by the compare judge`, 'remove it; the compare provider decides with pValue and maxRatio'));
    }
  }

  const scope = (allowRevision: boolean): PlaceholderScope => ({ args, allowRevision });
  const { prometheus, compare, signal } = metric.provider;
  if (prometheus !== undefined) {
    const qpath = child(path, 'provider', 'prometheus', 'query');
    issues.push(...checkQuery(prometheus.query, qpath, scope(false), used));
    if (metric.successCondition === undefined && metric.failureCondition === undefined) {
      issues.push(
        warning(
          path,
          'neither successCondition nor failureCondition is set: every measurement that returns data succeeds',
          'add a successCondition such as result < 0.01',
        ),
      );
    }
    if (prometheus.timeout !== undefined && durationMs(prometheus.timeout) === 0) {
      issues.push(
        error(child(path, 'provider', 'prometheus', 'timeout'), 'timeout must be longer than 0', 'use a positive duration such as 10s, or remove it'),
      );
    }
    if (prometheus.address !== undefined && !URL.canParse(prometheus.address)) {
      issues.push(
        error(
          child(path, 'provider', 'prometheus', 'address'),
          `"${prometheus.address}" is not a valid URL`,
          'use a URL such as http://prometheus.monitoring:9090',
        ),
      );
    }
    (prometheus.headers ?? []).forEach((h, i) => {
      if (h.name.toLowerCase() === 'authorization') {
        issues.push(
          warning(
            child(path, 'provider', 'prometheus', 'headers', i),
            'credentials in a header are stored in plain text in the template',
            'use authentication.bearerTokenSecretRef or basicAuthSecretRef instead',
          ),
        );
      }
    });
  }
  if (compare !== undefined) {
    const cpath = child(path, 'provider', 'compare');
    const qpath = child(cpath, 'query');
    issues.push(...checkQuery(compare.query, qpath, scope(true), used));
    if (!/\{\{\s*revision\s*\}\}/.test(compare.query)) {
      issues.push(
        error(
          qpath,
          'the compare query does not use {{revision}}, so both sides would measure the same pods',
          'select the revision with {{revision}}, e.g. {rollouts_pod_template_hash="{{revision}}"}',
        ),
      );
    }
    const window = durationMs(compare.window);
    const step = durationMs(compare.step);
    if (window !== undefined && step !== undefined) {
      if (step === 0) issues.push(error(child(cpath, 'step'), 'step must be longer than 0', 'use a positive duration such as 30s'));
      else if (window < step * 5) {
        issues.push(
          error(
            child(cpath, 'window'),
            `window ${compare.window} holds fewer than 5 samples at step ${compare.step}: too few for the Mann-Whitney test`,
            'make window at least 5 × step (10 × or more is better), or reduce step',
          ),
        );
      }
    }
  }
  if (signal?.query !== undefined) {
    issues.push(...checkQuery(signal.query, child(path, 'provider', 'signal', 'query'), scope(false), used));
  }
  return issues;
}

function checkQuery(query: string, path: string, scope: PlaceholderScope, used: Set<string>): ValidationIssue[] {
  const issues = checkPlaceholders(query, path, scope, used);
  const reason = promqlError(query);
  if (reason !== undefined) issues.push(error(path, reason, 'fix the PromQL syntax; try the query in the Prometheus UI with placeholders filled in'));
  return issues;
}
