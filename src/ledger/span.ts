// Spans of days for the ledger's flags (`--since 30d`, `--change-retention 90d`): days
// are what people count history in; anything else is a Go-style duration.
import { parseDuration } from '../api/durations.js';

const DAY_MS = 86_400_000;

export function parseSpan(text: string, flag: string): number {
  const days = /^(\d+)d$/.exec(text.trim());
  if (days) return Number(days[1]) * DAY_MS;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new Error(`${flag} must be a span such as 30d, 12h or 90m: ${err instanceof Error ? err.message : String(err)}`);
  }
}
