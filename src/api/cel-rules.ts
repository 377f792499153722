import { z } from 'zod';

/** One `x-kubernetes-validations` entry (apiextensions.k8s.io/v1 ValidationRule). */
export interface CrdValidationRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

const KEY = 'x-kubernetes-validations';

/** The CEL rules already attached to a schema (metadata is inherited by clones). */
export function celRulesOf(schema: z.ZodType): CrdValidationRule[] {
  const existing = z.globalRegistry.get(schema)?.[KEY];
  return Array.isArray(existing) ? (existing as CrdValidationRule[]) : [];
}

/**
 * Attaches CEL rules for the API server. zod metadata replaces arrays instead of
 * concatenating them, so rules are appended explicitly here.
 */
export function withCelRules<T extends z.ZodType>(schema: T, ...rules: CrdValidationRule[]): T {
  return schema.meta({ [KEY]: [...celRulesOf(schema), ...rules] }) as T;
}
