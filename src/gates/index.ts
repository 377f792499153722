// Context gates: production context as pure rules, composed into a chain -> findings.
export type { ChangeContext, GoverningRollout, Rule, RuleContext, Violation } from './context.js';
export { chain, compileRule } from './chain.js';
export { evaluatePolicies, evaluatePolicy, governingRollouts, blocking, REQUIRE_FLAG_RULE_ID } from './evaluate.js';
export type { PolicyEvaluationInput } from './evaluate.js';
export { policyMatches, policyName, namespaceLabels, type AnyPolicy } from './match.js';
export { selectorMatches } from './selectors.js';
export { changeOrigin } from './workload.js';
export { StaticPolicySource, type PolicySource } from './policy-source.js';
export { PolicyGateEvaluator } from './policy-gate.js';
