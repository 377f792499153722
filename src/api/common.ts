import { z } from 'zod';
import { API_VERSION } from './group.js';

/**
 * Go-style duration restricted to integer units, e.g. `30s`, `5m`, `1m30s`, `250ms`.
 * Integer-only so the same pattern holds in zod, in the CRD (RE2) and in the controller.
 */
export const DURATION_PATTERN = /^([0-9]+(ms|s|m|h))+$/;

export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, { message: 'must be a duration such as 30s, 5m or 1m30s (units: ms, s, m, h)' })
  .meta({ description: 'A duration: one or more integer-unit pairs, e.g. 30s, 5m, 1m30s, 250ms.' });
export type Duration = z.infer<typeof durationSchema>;

/** RFC 3339 timestamp as written by the API machinery (metav1.Time). */
export const timestampSchema = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof timestampSchema>;

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export const dnsLabelSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

/** A DNS-1123 subdomain, which is what most object names must be. */
export const objectNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a DNS subdomain: lower-case letters, digits, '-' and '.'",
  });

/**
 * Integer or percentage string (intstr.IntOrString), e.g. `1` or `25%`.
 * The CRD generator turns the meta marker into `x-kubernetes-int-or-string`.
 */
export const intOrPercentSchema = z
  .union([z.number().int().min(0), z.string().regex(/^[0-9]+%$/, { message: 'must be a percentage such as 25%' })])
  .meta({ 'x-kubernetes-int-or-string': true });
export type IntOrPercent = z.infer<typeof intOrPercentSchema>;

/** metav1.LabelSelectorRequirement. */
export const labelSelectorRequirementSchema = z.strictObject({
  key: z.string().min(1).describe('The label key the selector applies to.'),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).describe('How the key relates to the values.'),
  values: z.array(z.string()).optional().describe('Values for In and NotIn (must be non-empty); must be empty for Exists and DoesNotExist.'),
});
export type LabelSelectorRequirement = z.infer<typeof labelSelectorRequirementSchema>;

/** metav1.LabelSelector: an empty selector matches everything. */
export const labelSelectorSchema = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).optional().describe('Exact label matches; ANDed with matchExpressions.'),
    matchExpressions: z.array(labelSelectorRequirementSchema).optional().describe('Set-based label requirements; ANDed together.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/** metav1.Condition, the standard shape for status conditions. */
export const conditionSchema = z.strictObject({
  type: z.string().min(1).max(316).describe('Condition type in CamelCase, e.g. Available, Progressing, Gated, AnalysisHealthy.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition.'),
  observedGeneration: z.number().int().min(0).optional().describe('The .metadata.generation the condition was set for.'),
  lastTransitionTime: timestampSchema.describe('When the condition last changed status.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, { message: 'must be CamelCase' })
    .describe('Machine-readable CamelCase reason for the last transition.'),
  message: z.string().max(32768).describe('Human-readable details about the transition.'),
});
export type Condition = z.infer<typeof conditionSchema>;

/**
 * Marks a list as a map keyed by the given fields: server-side apply merges by key and
 * the API server rejects duplicate keys, which the refinement mirrors for lint.
 */
export function listMap<T extends z.ZodType>(schema: T, ...keys: string[]): T {
  const refined = schema.superRefine((value, ctx) => {
    if (!Array.isArray(value)) return;
    const seen = new Set<string>();
    value.forEach((item: unknown, index) => {
      const record = (item ?? {}) as Record<string, unknown>;
      const key = JSON.stringify(keys.map((k) => record[k]));
      if (seen.has(key)) {
        const shown = keys.map((k) => `${k} ${JSON.stringify(record[k])}`).join(', ');
        ctx.addIssue({ code: 'custom', path: [index, keys[0] ?? ''], message: `duplicate entry: ${shown} appears more than once` });
      }
      seen.add(key);
    });
  });
  return refined.meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys }) as T;
}

/** The parts of ObjectMeta this project reads; the API server owns the rest. */
export const objectMetaSchema = z.looseObject({
  name: objectNameSchema.optional(),
  generateName: z.string().optional(),
  namespace: dnsLabelSchema.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** Top-level document schema for a kind without status. */
export function specOnlyResourceSchema<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec,
  });
}

/** Top-level document schema for a kind with a status subresource. */
export function resourceSchema<K extends string, S extends z.ZodType, T extends z.ZodType>(kind: K, spec: S, status: T) {
  return z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec,
    status: status.optional(),
  });
}

/** Name/value pair, used for analysis arguments. */
export const argumentSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: 'must start with a letter or _ and contain letters, digits, _ or -' })
    .describe('Argument name, referenced in templates as {{args.NAME}}.'),
  value: z.string().describe('Argument value, substituted verbatim.'),
});
export type Argument = z.infer<typeof argumentSchema>;
