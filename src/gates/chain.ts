// Rules compose into a chain: each rule kind is a pure check, compiled once per policy
// rule into a `Rule` that stamps the policy's metadata on what it finds.
import { contextRuleKind, type ContextRule, type Finding } from '../api/index.js';
import type { Rule, RuleContext, RuleOrigin, Violation } from './context.js';
import { checkCel } from './rules/cel.js';
import { checkContract } from './rules/contract.js';
import { checkObservability } from './rules/observability.js';
import { checkOwnership } from './rules/ownership.js';
import { checkRolloutConvention } from './rules/rollout-convention.js';
import { checkSecurity } from './rules/security.js';

function check(rule: ContextRule, ctx: RuleContext): Violation[] {
  switch (contextRuleKind(rule)) {
    case 'ownership':
      return rule.ownership ? checkOwnership(rule.ownership, ctx) : [];
    case 'observability':
      return rule.observability ? checkObservability(rule.observability, ctx) : [];
    case 'rolloutConvention':
      return rule.rolloutConvention ? checkRolloutConvention(rule.rolloutConvention, ctx) : [];
    case 'security':
      return rule.security ? checkSecurity(rule.security, ctx) : [];
    case 'contract':
      return rule.contract ? checkContract(rule.contract, ctx) : [];
    case 'cel':
      return rule.cel ? checkCel(rule.cel, ctx) : [];
    case undefined:
      return [];
  }
}

/**
 * One finding per rule that fails: the violations are joined so a denial lists each
 * rule once, with its rationale and fix, however many containers it tripped on.
 */
export function findingFrom(origin: RuleOrigin, violations: readonly Violation[]): Finding[] {
  if (violations.length === 0) return [];
  const fix = origin.fix ?? [...new Set(violations.map((v) => v.fix))].join('; ');
  return [
    {
      ruleId: origin.ruleId,
      policy: origin.policy,
      enforcement: origin.enforcement,
      severity: origin.enforcement === 'Enforce' ? 'error' : origin.enforcement === 'Warn' ? 'warning' : 'info',
      message: violations.map((v) => v.message).join('; '),
      ...(origin.rationale !== undefined ? { rationale: origin.rationale } : {}),
      ...(origin.reference !== undefined ? { reference: origin.reference } : {}),
      fix,
    },
  ];
}

export function compileRule(rule: ContextRule, meta: Omit<RuleOrigin, 'ruleId' | 'rationale' | 'reference' | 'fix'>): Rule {
  const origin: RuleOrigin = { ...meta, ruleId: rule.id, rationale: rule.rationale, reference: rule.reference, fix: rule.fix };
  return (ctx) => findingFrom(origin, check(rule, ctx));
}

/** Runs rules in order and concatenates their findings. */
export function chain(rules: readonly Rule[]): Rule {
  return (ctx) => rules.flatMap((rule) => rule(ctx));
}
