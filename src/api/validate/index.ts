import type { z } from 'zod';
import { KINDS, isKind, type Kind } from '../documents.js';
import { GROUP, API_VERSION } from '../group.js';
import type { AnalysisTemplate } from '../analysis-template.js';
import type { ContextPolicy } from '../context-policy.js';
import type { Rollout } from '../rollout.js';
import { checkAnalysisTemplateSpec } from './analysis-template-rules.js';
import { checkContextPolicySpec } from './context-policy-rules.js';
import { error, warning, type ValidationIssue } from './issue.js';
import { checkRollout, type RolloutContext } from './rollout-rules.js';
import { schemaIssues } from './schema-issues.js';

export * from './issue.js';
export { durationMs } from '../durations.js';
export { promqlError } from './promql.js';
export { conditionError, policyCelError } from './cel.js';
export { placeholdersIn, BUILTIN_PLACEHOLDERS } from './placeholders.js';
export type { TemplateLookup, RolloutContext } from './rollout-rules.js';

export type ValidationContext = RolloutContext;

/**
 * Validates one document of this API group: schema first, then the semantic rules.
 * Documents of other groups yield no issues (a manifest file mixes kinds).
 * This is the single validation used by the admission webhook and `clairvoyance lint`.
 */
export function validateDocument(obj: unknown, ctx: ValidationContext = {}): ValidationIssue[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return [error('', 'not a Kubernetes object', 'each YAML document must be a mapping with apiVersion, kind and metadata')];
  }
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [error(typeof apiVersion !== 'string' ? 'apiVersion' : 'kind', 'apiVersion and kind are required', 'set apiVersion and kind')];
  }
  if (apiVersion.split('/')[0] !== GROUP) return [];
  if (apiVersion !== API_VERSION) {
    return [error('apiVersion', `unsupported version "${apiVersion}"`, `use apiVersion: ${API_VERSION}`)];
  }
  if (!isKind(kind)) {
    return [error('kind', `unknown kind "${kind}" in ${GROUP}`, `use one of ${Object.keys(KINDS).join(', ')}`)];
  }
  const schema: z.ZodType = KINDS[kind].schema;
  const parsed = schema.safeParse(obj, { reportInput: true });
  if (!parsed.success) return schemaIssues(schema, parsed.error);
  return [
    ...metadataIssues(kind, parsed.data as { metadata: { name?: string; generateName?: string; namespace?: string } }),
    ...semanticIssues(kind, parsed.data, ctx),
  ];
}

function metadataIssues(kind: Kind, doc: { metadata: { name?: string; generateName?: string; namespace?: string } }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (doc.metadata.name === undefined && doc.metadata.generateName === undefined) {
    issues.push(error('metadata.name', 'metadata.name is required', 'set metadata.name'));
  }
  if (!KINDS[kind].namespaced && doc.metadata.namespace !== undefined) {
    issues.push(warning('metadata.namespace', `${kind} is cluster-scoped; metadata.namespace is ignored`, 'remove metadata.namespace'));
  }
  return issues;
}

function semanticIssues(kind: Kind, doc: unknown, ctx: ValidationContext): ValidationIssue[] {
  switch (kind) {
    case 'Rollout':
      return checkRollout(doc as Rollout, ctx);
    case 'AnalysisTemplate':
    case 'ClusterAnalysisTemplate':
      return checkAnalysisTemplateSpec((doc as AnalysisTemplate).spec);
    case 'ContextPolicy':
    case 'ClusterContextPolicy':
      return checkContextPolicySpec((doc as ContextPolicy).spec);
    case 'Change':
      // Kept by the controller; the schema is the whole contract.
      return [];
  }
}
