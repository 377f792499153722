import { parseDuration } from '../../analysis/durations.js';
import { DURATION_PATTERN } from '../common.js';

/**
 * Milliseconds of a duration in the API's format (integer units: ms, s, m, h), or
 * undefined when the text is not one. Schema validation reports the format itself.
 */
export function durationMs(text: string): number | undefined {
  return DURATION_PATTERN.test(text) ? parseDuration(text) : undefined;
}
