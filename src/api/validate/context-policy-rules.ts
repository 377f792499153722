import type { LabelSelector } from '../common.js';
import { contextRuleKind, type ContextPolicySpec, type ContextRule } from '../context-policy.js';
import { policyCelError } from './cel.js';
import { child, error, warning, type ValidationIssue } from './issue.js';

/** Semantic checks of a (Cluster)ContextPolicy spec that the schema cannot express. */
export function checkContextPolicySpec(spec: ContextPolicySpec, base = 'spec'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const match = child(base, 'match');
  if (spec.match.namespaceSelector !== undefined) {
    issues.push(...checkSelector(spec.match.namespaceSelector, child(match, 'namespaceSelector')));
  }
  if (spec.match.workloadSelector !== undefined) {
    issues.push(...checkSelector(spec.match.workloadSelector, child(match, 'workloadSelector')));
  }
  spec.rules.forEach((rule, i) => issues.push(...checkRule(rule, child(base, 'rules', i))));
  return issues;
}

function checkRule(rule: ContextRule, path: string): ValidationIssue[] {
  const kind = contextRuleKind(rule);
  const kindPath = kind === undefined ? path : child(path, kind);
  const empty = (what: string): ValidationIssue => error(kindPath, `the ${kind ?? ''} rule "${rule.id}" checks nothing`, `set ${what}`);
  const issues: ValidationIssue[] = [];
  switch (kind) {
    case 'ownership': {
      const { labels = [], annotations = [] } = rule.ownership ?? {};
      if (labels.length + annotations.length === 0) issues.push(empty('labels or annotations, e.g. labels: [team]'));
      break;
    }
    case 'observability': {
      const { metrics, otelEnv = [], readinessProbe } = rule.observability ?? {};
      if (metrics !== true && readinessProbe !== true && otelEnv.length === 0) {
        issues.push(empty('metrics: true, readinessProbe: true or otelEnv'));
      }
      break;
    }
    case 'rolloutConvention': {
      const { requireFlag, requireRollout } = rule.rolloutConvention ?? {};
      if (requireFlag !== true && requireRollout !== true) issues.push(empty('requireFlag: true or requireRollout: true'));
      break;
    }
    case 'security': {
      const s = rule.security ?? {};
      if (s.runAsNonRoot !== true && s.requireResourceLimits !== true && (s.allowedRegistries ?? []).length === 0 && s.dataClass === undefined) {
        issues.push(empty('runAsNonRoot, requireResourceLimits, allowedRegistries or dataClass'));
      }
      (s.allowedRegistries ?? []).forEach((prefix, i) => {
        if (!prefix.includes('/')) {
          issues.push(
            warning(
              child(kindPath, 'allowedRegistries', i),
              `"${prefix}" also matches other hosts that start with it (e.g. ${prefix}.evil.example/...)`,
              `end the prefix with a slash: "${prefix}/"`,
            ),
          );
        }
      });
      break;
    }
    case 'contract':
      if (rule.contract?.protectConsumers === false) {
        issues.push(
          warning(child(kindPath, 'protectConsumers'), `the contract rule "${rule.id}" is disabled`, 'set protectConsumers: true or remove the rule'),
        );
      }
      break;
    case 'cel': {
      const reason = policyCelError(rule.cel?.expression ?? '');
      if (reason !== undefined) {
        issues.push(
          error(
            child(kindPath, 'expression'),
            `CEL expression does not compile: ${reason}`,
            'write a bool CEL expression over object, namespaceObject and origin, e.g. has(object.metadata.labels.team)',
          ),
        );
      }
      break;
    }
    case undefined:
      break;
  }
  return issues;
}

function checkSelector(selector: LabelSelector, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const values = req.values ?? [];
    const p = child(path, 'matchExpressions', i, 'values');
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      issues.push(error(p, `operator ${req.operator} needs at least one value`, 'add values, or use Exists/DoesNotExist'));
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      issues.push(error(p, `operator ${req.operator} takes no values`, 'remove values, or use In/NotIn'));
    }
  });
  return issues;
}
