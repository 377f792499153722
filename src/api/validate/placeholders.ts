import { error, type ValidationIssue } from './issue.js';

/** `{{ name }}`, as rendered by the analysis engine. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export const BUILTIN_PLACEHOLDERS = ['rollout.name', 'rollout.namespace', 'canary.revision', 'stable.revision'] as const;

/** Placeholders used in a text, with their names. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export interface PlaceholderScope {
  /** Arguments the template declares. */
  args: ReadonlySet<string>;
  /** `{{revision}}` is only meaningful in compare queries. */
  allowRevision: boolean;
}

/** Every placeholder must be a built-in or a declared argument; reports args it used. */
export function checkPlaceholders(text: string, path: string, scope: PlaceholderScope, used: Set<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of placeholdersIn(text)) {
    if (name.startsWith('args.')) {
      const arg = name.slice('args.'.length);
      used.add(arg);
      if (!scope.args.has(arg)) {
        issues.push(
          error(
            path,
            `{{${name}}} refers to argument "${arg}", which spec.args does not declare`,
            `declare it: add {name: ${arg}} to spec.args (with a value for a default), or fix the spelling`,
          ),
        );
      }
    } else if (name === 'revision') {
      if (!scope.allowRevision) {
        issues.push(error(path, '{{revision}} is only available in compare queries', 'use {{canary.revision}} or {{stable.revision}}'));
      }
    } else if (!(BUILTIN_PLACEHOLDERS as readonly string[]).includes(name)) {
      issues.push(
        error(
          path,
          `unknown placeholder {{${name}}}`,
          `use {{args.NAME}}, ${BUILTIN_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}${scope.allowRevision ? ' or {{revision}}' : ''}`,
        ),
      );
    }
  }
  return issues;
}
