import { Environment } from '@marcbachmann/cel-js';
import { validateCondition } from '../../analysis/conditions.js';
import { placeholdersIn } from './placeholders.js';

/**
 * Why a success/failure condition does not compile, or undefined. Delegates to the
 * analysis engine's own compiler so lint accepts exactly what the engine can evaluate.
 */
export function conditionError(expression: string): string | undefined {
  if (placeholdersIn(expression).length > 0) {
    return 'conditions are CEL over `result`; {{...}} placeholders are not substituted in them';
  }
  return validateCondition(expression);
}

// Variables a policy's CEL rule sees, named as in ValidatingAdmissionPolicy ('namespace' is
// reserved in CEL): the Deployment, its Namespace and the change origin.
const policyEnv = new Environment().registerVariable('object', 'map').registerVariable('namespaceObject', 'map').registerVariable('origin', 'string');

/** Why a policy CEL rule does not compile or is not boolean, or undefined. */
export function policyCelError(expression: string): string | undefined {
  let checked;
  try {
    checked = policyEnv.check(expression);
  } catch (e) {
    return firstLine(e);
  }
  if (!checked.valid) return firstLine(checked.error);
  if (checked.type !== 'bool' && checked.type !== 'dyn') return `must evaluate to bool, not ${checked.type}`;
  return undefined;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
