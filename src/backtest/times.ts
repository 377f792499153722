import { parseDuration } from '../analysis/index.js';
import { BacktestInputError } from './template-source.js';

/** RFC 3339, Unix seconds, `now`, or `now-6h` / `now+5m`, for the flag named `flag`. */
export function parseTime(value: string, flag: string, now: Date = new Date()): Date {
  const v = value.trim();
  if (v === 'now') return now;
  const rel = /^now\s*([+-])\s*(.+)$/.exec(v);
  if (rel) {
    try {
      const ms = parseDuration(rel[2] ?? '');
      return new Date(now.getTime() + (rel[1] === '-' ? -ms : ms));
    } catch (err) {
      throw new BacktestInputError(`${flag} "${value}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (/^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new BacktestInputError(`${flag} "${value}" is not a time: use RFC 3339 (2026-12-01T08:00:00Z), Unix seconds, now, or now-6h`);
  return new Date(t);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A look-back such as 30d, 2w or 12h (days and weeks on top of the usual duration units). */
export function parseLookback(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(d|w)$/.exec(value.trim());
  if (m) return Number(m[1]) * (m[2] === 'w' ? 7 * DAY_MS : DAY_MS);
  try {
    return parseDuration(value);
  } catch (err) {
    throw new BacktestInputError(`${flag} "${value}": ${err instanceof Error ? err.message : String(err)}; days and weeks work too (30d, 2w)`);
  }
}
