import { z } from 'zod';
import { child, type ValidationIssue } from './issue.js';

/** Converts zod's issues into validation issues with a path and a fix. */
export function schemaIssues(schema: z.ZodType, error: z.ZodError, base = ''): ValidationIssue[] {
  return error.issues.flatMap((issue) => convert(schema, issue, base));
}

function convert(schema: z.ZodType, issue: z.core.$ZodIssue, base: string): ValidationIssue[] {
  const path = child(base, ...(issue.path as (string | number)[]));
  const at = path === '' ? 'the document' : path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeys(schema, issue.path);
        const guess = closest(key, known);
        return {
          path: child(path, key),
          severity: 'error' as const,
          message: `unknown field "${key}"`,
          fix: guess !== undefined ? `did you mean "${guess}"?` : known.length > 0 ? `remove it; allowed fields here: ${known.join(', ')}` : 'remove it',
        };
      });
    case 'invalid_type': {
      const received = describeInput(issue.input);
      if (issue.input === undefined) {
        return [{ path, severity: 'error', message: `${lastSegment(path)} is required`, fix: `set ${at} (${issue.expected})` }];
      }
      const yamlHint =
        issue.expected === 'string' && typeof issue.input === 'boolean'
          ? `quote it ("${issue.input ? 'on' : 'off'}"?): YAML reads unquoted on/off/yes/no/true/false as booleans`
          : `use a ${issue.expected}`;
      return [{ path, severity: 'error', message: `expected ${issue.expected}, got ${received}`, fix: yamlHint }];
    }
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? 'at most' : 'at least';
      const what = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      const strictly = issue.inclusive === false ? (issue.code === 'too_big' ? 'less than' : 'greater than') : bound;
      const limit = `${strictly} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}${what ? ` ${what}` : ''}`;
      return [{ path, severity: 'error', message: `must be ${limit}`, fix: `change ${at} to ${limit}` }];
    }
    case 'invalid_value':
      return [
        {
          path,
          severity: 'error',
          message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
          fix: `set ${at} to one of the allowed values`,
        },
      ];
    case 'invalid_union':
      return [{ path, severity: 'error', message: unionMessage(issue), fix: `correct ${at}` }];
    case 'invalid_format':
      return [{ path, severity: 'error', message: issue.message, fix: `correct the format of ${at}` }];
    case 'custom':
      return [{ path, severity: 'error', message: issue.message, fix: fixFor(issue.message, at) }];
    default:
      return [{ path, severity: 'error', message: issue.message, fix: `correct ${at}` }];
  }
}

function fixFor(message: string, at: string): string {
  const one = /set exactly one of (.+?)(?: \(found|$)/.exec(message);
  if (one) return `keep exactly one of ${one[1] ?? ''} in ${at}`;
  const most = /set at most one of (.+?)(?: \(found|$)/.exec(message);
  if (most) return `remove all but one of ${most[1] ?? ''} in ${at}`;
  if (message.startsWith('duplicate entry')) return `remove or rename the duplicate at ${at}`;
  return `correct ${at}`;
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const branches = issue.errors.map((errs) => errs.map((e) => e.message).join('; ')).filter((m) => m !== '');
  return branches.length > 0 ? `does not match any allowed form: ${branches.join(' | ')}` : issue.message;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  return `${typeof input} ${JSON.stringify(input)}`;
}

function lastSegment(path: string): string {
  const m = /([^.[\]]+)\]?$/.exec(path);
  return m?.[1] ?? 'the field';
}

/** Walks the schema along a path to list the fields an object accepts there. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = unwrap((current.shape as Record<string, z.ZodType>)[String(segment)]);
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/** The closest known key within a small edit distance, for typo hints. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
