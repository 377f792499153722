import type { z } from 'zod';
import { changeSchema } from './change.js';
import { analysisTemplateSchema, clusterAnalysisTemplateSchema } from './analysis-template.js';
import { clusterContextPolicySchema, contextPolicySchema } from './context-policy.js';
import { API_VERSION } from './group.js';
import { rolloutSchema } from './rollout.js';

/** Every kind of the API with its document schema and scope. */
export const KINDS = {
  Rollout: { schema: rolloutSchema, plural: 'rollouts', namespaced: true },
  AnalysisTemplate: { schema: analysisTemplateSchema, plural: 'analysistemplates', namespaced: true },
  ClusterAnalysisTemplate: { schema: clusterAnalysisTemplateSchema, plural: 'clusteranalysistemplates', namespaced: false },
  ContextPolicy: { schema: contextPolicySchema, plural: 'contextpolicies', namespaced: true },
  ClusterContextPolicy: { schema: clusterContextPolicySchema, plural: 'clustercontextpolicies', namespaced: false },
  Change: { schema: changeSchema, plural: 'changes', namespaced: true },
} as const;

export type Kind = keyof typeof KINDS;
export type ClairvoyanceDocument = z.infer<(typeof KINDS)[Kind]['schema']>;

export function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}

/** The kind of a document of this API group, or undefined for anything else. */
export function clairvoyanceKindOf(obj: unknown): Kind | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  return apiVersion === API_VERSION && isKind(kind) ? kind : undefined;
}
