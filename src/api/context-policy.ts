import { z } from 'zod';
import { DATA_CLASS_LABEL, originSchema } from './annotations.js';
import { withCelRules } from './cel-rules.js';
import { conditionSchema, dnsLabelSchema, labelSelectorSchema, listMap, resourceSchema, timestampSchema } from './common.js';
import { enforcementSchema } from './finding.js';
import { exactlyOneOf, whichOf } from './one-of.js';

export const CONTEXT_POLICY_KIND = 'ContextPolicy';
export const CLUSTER_CONTEXT_POLICY_KIND = 'ClusterContextPolicy';

export const contextMatchSchema = z.strictObject({
  namespaceSelector: labelSelectorSchema
    .optional()
    .describe('Namespaces the policy applies to (ClusterContextPolicy only; a ContextPolicy covers its own namespace).'),
  workloadSelector: labelSelectorSchema.optional().describe('Workloads (by Deployment labels) the policy applies to.'),
  origins: z.array(originSchema).optional().describe('Change origins the policy applies to; empty means every origin.'),
});
export type ContextMatch = z.infer<typeof contextMatchSchema>;

const stringList = (what: string) => z.array(z.string().min(1)).optional().describe(what);

export const ownershipRuleSchema = z.strictObject({
  labels: stringList('Labels the Deployment must carry with a non-empty value, e.g. team.'),
  annotations: stringList('Annotations the Deployment must carry with a non-empty value, e.g. runbook.'),
});
export type OwnershipRule = z.infer<typeof ownershipRuleSchema>;

export const observabilityRuleSchema = z.strictObject({
  metrics: z.boolean().optional().describe('Require metrics wiring: a container port named metrics or the prometheus.io/scrape annotation.'),
  otelEnv: stringList('Environment variables every container must set, e.g. OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT.'),
  readinessProbe: z.boolean().optional().describe('Require a readiness probe on every container.'),
});
export type ObservabilityRule = z.infer<typeof observabilityRuleSchema>;

export const rolloutConventionRuleSchema = z.strictObject({
  requireFlag: z.boolean().optional().describe('The change must sit behind a feature flag (Rollout spec.flag and the clairvoyance.dev/flag annotation).'),
  requireRollout: z.boolean().optional().describe('A Rollout must govern the Deployment.'),
});
export type RolloutConventionRule = z.infer<typeof rolloutConventionRuleSchema>;

export const dataClassRequirementSchema = z.strictObject({
  value: z.string().min(1).describe('Data class (namespace label value) this requirement applies to, e.g. pci.'),
  requireAnnotations: stringList('Pod-template annotations required in namespaces of this class.'),
  requireLabels: stringList('Pod-template labels required in namespaces of this class.'),
});
export type DataClassRequirement = z.infer<typeof dataClassRequirementSchema>;

export const securityRuleSchema = z.strictObject({
  runAsNonRoot: z.boolean().optional().describe('Require runAsNonRoot on the pod or every container.'),
  requireResourceLimits: z.boolean().optional().describe('Require CPU and memory limits on every container.'),
  allowedRegistries: stringList('Image prefixes allowed, e.g. registry.example.com/. Empty: any registry.'),
  dataClass: z
    .strictObject({
      namespaceLabel: z.string().min(1).default(DATA_CLASS_LABEL).describe('Namespace label holding the data class.'),
      requirements: listMap(z.array(dataClassRequirementSchema).min(1).describe('Requirements per data class.'), 'value'),
    })
    .optional()
    .describe("Compliance boundaries keyed by the namespace's data class."),
});
export type SecurityRule = z.infer<typeof securityRuleSchema>;

export const contractRuleSchema = z.strictObject({
  protectConsumers: z
    .boolean()
    .default(true)
    .describe(
      'Deny a change whose clairvoyance.dev/provides drops a major version (name@vN) still listed in another ' + "workload's clairvoyance.dev/consumes.",
    ),
});
export type ContractRule = z.infer<typeof contractRuleSchema>;

export const celRuleSchema = z.strictObject({
  expression: z
    .string()
    .min(1)
    .describe(
      'CEL that must evaluate to true for the change to pass. Variables: object (the Deployment), namespaceObject (its Namespace), origin (ai-generated, ai-assisted or human).',
    ),
  message: z.string().min(1).describe('Message reported when the expression is false.'),
});
export type CelRule = z.infer<typeof celRuleSchema>;

export const CONTEXT_RULE_KINDS = ['ownership', 'observability', 'rolloutConvention', 'security', 'contract', 'cel'] as const;
export type ContextRuleKind = (typeof CONTEXT_RULE_KINDS)[number];

export const contextRuleSchema = exactlyOneOf(
  z
    .strictObject({
      id: dnsLabelSchema.describe('Rule id, unique in the policy, shown in denials and findings.'),
      rationale: z.string().min(1).describe('Why the rule exists: the history (incident, architecture decision) behind it.'),
      reference: z.string().min(1).optional().describe('Link to the ADR, incident or document behind the rule.'),
      fix: z.string().min(1).optional().describe('How a change satisfies the rule; shown with every finding.'),
      ownership: ownershipRuleSchema.optional().describe('Ownership metadata the workload must carry.'),
      observability: observabilityRuleSchema.optional().describe('Telemetry wiring the workload must have.'),
      rolloutConvention: rolloutConventionRuleSchema.optional().describe('How changes must be rolled out.'),
      security: securityRuleSchema.optional().describe('Security and compliance requirements.'),
      contract: contractRuleSchema.optional().describe('Downstream contract protection.'),
      cel: celRuleSchema.optional().describe('Escape hatch: a CEL expression over the workload.'),
    })
    .describe('One rule: id, rationale and exactly one of ownership, observability, rolloutConvention, security, contract or cel.'),
  CONTEXT_RULE_KINDS,
  'rule',
);
export type ContextRule = z.infer<typeof contextRuleSchema>;
/** A rule as written, before defaults (e.g. for test fixtures). */
export type ContextRuleInput = z.input<typeof contextRuleSchema>;

export function contextRuleKind(rule: ContextRule): ContextRuleKind | undefined {
  return whichOf(rule, CONTEXT_RULE_KINDS);
}

const ORIGIN_DEFAULT = 'human';

/** Shared by both kinds; ContextPolicy adds the namespaceSelector restriction below. */
export const clusterContextPolicySpecSchema = z.strictObject({
  match: contextMatchSchema.prefault({}).describe('Which changes the policy applies to; empty matches every change.'),
  enforcement: enforcementSchema.default('Enforce'),
  defaultOrigin: originSchema.default(ORIGIN_DEFAULT).describe('Origin assumed for a change without the clairvoyance.dev/origin annotation.'),
  rules: listMap(z.array(contextRuleSchema).min(1).max(100).describe('The rules of the policy.'), 'id'),
});
export type ContextPolicySpec = z.infer<typeof clusterContextPolicySpecSchema>;
export type ContextPolicySpecInput = z.input<typeof clusterContextPolicySpecSchema>;

const NAMESPACE_SELECTOR_MESSAGE = 'match.namespaceSelector is only allowed on ClusterContextPolicy; a ContextPolicy applies to its own namespace';

export const contextPolicySpecSchema = withCelRules(
  clusterContextPolicySpecSchema.superRefine((spec, ctx) => {
    if (spec.match.namespaceSelector !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['match', 'namespaceSelector'], message: NAMESPACE_SELECTOR_MESSAGE });
    }
  }),
  {
    rule: '!has(self.match) || !has(self.match.namespaceSelector)',
    message: NAMESPACE_SELECTOR_MESSAGE,
    fieldPath: '.match.namespaceSelector',
    reason: 'FieldValueForbidden',
  },
);

export const MAX_AUDIT_RESULTS = 50;

export const auditResultSchema = z.strictObject({
  namespace: z.string().describe('Namespace of the workload.'),
  name: z.string().describe('Name of the workload.'),
  ruleId: z.string().describe('Rule it violates.'),
  message: z.string().describe('What is wrong.'),
});
export type AuditResult = z.infer<typeof auditResultSchema>;

export const contextPolicyStatusSchema = z.strictObject({
  observedGeneration: z.number().int().min(0).optional().describe('The .metadata.generation last acted on.'),
  audit: z
    .strictObject({
      lastScanAt: timestampSchema.optional().describe('When existing workloads were last checked.'),
      violations: z.number().int().min(0).optional().describe('Violations found by the last scan.'),
      results: z.array(auditResultSchema).max(MAX_AUDIT_RESULTS).optional().describe(`Violations of the last scan (at most ${MAX_AUDIT_RESULTS}).`),
    })
    .optional()
    .describe('Background audit of existing workloads against the policy.'),
  conditions: listMap(z.array(conditionSchema).optional().describe('Standard conditions.'), 'type'),
});
export type ContextPolicyStatus = z.infer<typeof contextPolicyStatusSchema>;

export const contextPolicySchema = resourceSchema(CONTEXT_POLICY_KIND, contextPolicySpecSchema, contextPolicyStatusSchema).describe(
  'Production context for workloads in this namespace: rules every change is checked against.',
);
export type ContextPolicy = z.infer<typeof contextPolicySchema>;
export type ContextPolicyInput = z.input<typeof contextPolicySchema>;

export const clusterContextPolicySchema = resourceSchema(CLUSTER_CONTEXT_POLICY_KIND, clusterContextPolicySpecSchema, contextPolicyStatusSchema).describe(
  'Production context for workloads across namespaces: rules every change is checked against.',
);
export type ClusterContextPolicy = z.infer<typeof clusterContextPolicySchema>;
export type ClusterContextPolicyInput = z.input<typeof clusterContextPolicySchema>;
