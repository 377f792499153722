// The Clairvoyance API: schemas, inferred types, annotation keys and validation.
export * from './group.js';
export * from './common.js';
export * from './cel-rules.js';
export * from './one-of.js';
export * from './annotations.js';
export * from './labels.js';
export * from './finding.js';
export * from './rollout.js';
export * from './analysis-template.js';
export * from './context-policy.js';
export * from './change.js';
export * from './documents.js';
export * from './objects.js';
export * from './workload.js';
export * from './durations.js';
export { validateDocument, hasErrors } from './validate/index.js';
export type { ValidationIssue, ValidationContext, TemplateLookup } from './validate/index.js';
