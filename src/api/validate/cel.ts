import { validateCondition } from '../../cel/condition.js';
import { placeholdersIn } from './placeholders.js';

export { policyCelError } from '../../cel/policy.js';

/**
 * Why a success/failure condition does not compile, or undefined. The analysis engine
 * compiles with the same compiler (src/cel), so lint accepts exactly what it can evaluate.
 */
export function conditionError(expression: string): string | undefined {
  if (placeholdersIn(expression).length > 0) {
    return 'conditions are CEL over `result`; {{...}} placeholders are not substituted in them';
  }
  return validateCondition(expression);
}
