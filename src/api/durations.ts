/** Go `time.ParseDuration` syntax, the format Kubernetes users already write. */
import { DURATION_PATTERN } from './common.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid duration "${input}": ${reason}`);
    this.name = 'DurationError';
  }
}

const SEGMENT = /(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/y;

/**
 * Parses `500ms`, `2s`, `1m30s`, `1.5h` into milliseconds. Negative durations are
 * rejected: every duration in the API is an interval, delay, window or timeout.
 */
export function parseDuration(input: string): number {
  const text = input.trim();
  if (text === '') throw new DurationError(input, 'empty');
  if (text === '0') return 0;
  if (text.startsWith('-')) throw new DurationError(input, 'must not be negative');
  const body = text.startsWith('+') ? text.slice(1) : text;
  let total = 0;
  SEGMENT.lastIndex = 0;
  let pos = 0;
  while (pos < body.length) {
    SEGMENT.lastIndex = pos;
    const m = SEGMENT.exec(body);
    if (!m) {
      const rest = body.slice(pos);
      const reason = /^\d/.test(rest) || rest.startsWith('.') ? 'missing unit (use ns, us, ms, s, m, h)' : `unexpected "${rest}"`;
      throw new DurationError(input, reason);
    }
    const [, num, unit] = m as unknown as [string, string, string];
    const factor = UNIT_MS[unit];
    if (factor === undefined) throw new DurationError(input, `unknown unit "${unit}" (use ns, us, ms, s, m, h)`);
    total += Number(num) * factor;
    pos = SEGMENT.lastIndex;
  }
  if (!Number.isFinite(total)) throw new DurationError(input, 'out of range');
  return total;
}

/** Parses an optional duration, falling back to `fallbackMs` when absent. */
export function parseDurationOr(input: string | undefined, fallbackMs: number): number {
  return input === undefined || input === '' ? fallbackMs : parseDuration(input);
}

/** Formats milliseconds compactly (`1m30s`, `250ms`) for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/**
 * Milliseconds of a duration in the API's format (integer units: ms, s, m, h), or
 * undefined when the text is not one. Schema validation reports the format itself.
 */
export function durationMs(text: string): number | undefined {
  return DURATION_PATTERN.test(text) ? parseDuration(text) : undefined;
}
