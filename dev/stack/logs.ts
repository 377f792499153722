import { existsSync, readFileSync } from 'node:fs';

/** The last lines of a log, for error messages that name what failed. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log written)';
  const text = readFileSync(file, 'utf8').trimEnd();
  return text.split('\n').slice(-lines).join('\n') || '(log is empty)';
}
