import { z } from 'zod';

export const ENFORCEMENTS = ['Enforce', 'Warn', 'Audit'] as const;
export const enforcementSchema = z.enum(ENFORCEMENTS).describe('Enforce: deny/block the change. Warn: admit with a warning. Audit: only record the finding.');
export type Enforcement = z.infer<typeof enforcementSchema>;

export const FINDING_SEVERITIES = ['error', 'warning', 'info'] as const;

/** A gate finding: one rule of one policy that a change did not satisfy. */
export const findingSchema = z.strictObject({
  ruleId: z.string().describe('Id of the rule.'),
  policy: z.string().describe('Policy holding the rule, as Kind/name or Kind/namespace/name.'),
  enforcement: enforcementSchema,
  severity: z.enum(FINDING_SEVERITIES).optional().describe('How serious the finding is.'),
  message: z.string().describe('What is wrong with the change.'),
  rationale: z.string().optional().describe('Why the rule exists.'),
  reference: z.string().optional().describe('ADR or incident link behind the rule.'),
  fix: z.string().optional().describe('How to satisfy the rule.'),
});
export type Finding = z.infer<typeof findingSchema>;
