// flagd's flag definition format (https://flagd.dev/reference/flag-definitions/),
// as kept in a ConfigMap data key or under a FeatureFlag's spec.flagSpec.
// Objects are loose on purpose: fields this version does not know (metadata,
// newer flagd additions) must survive a read-modify-write untouched.
import { z } from 'zod';

export const jsonValueSchema = z.json();
export type JsonValue = z.infer<typeof jsonValueSchema>;
export type JsonObject = { [key: string]: JsonValue };

/** A JsonLogic rule: an object whose single key is the operator. */
const jsonLogicSchema = z.record(z.string(), jsonValueSchema);

export const FLAG_STATES = ['ENABLED', 'DISABLED'] as const;

export const flagDefinitionSchema = z
  .looseObject({
    state: z.enum(FLAG_STATES),
    variants: z.record(z.string(), jsonValueSchema),
    // null defers to the application's code default (flagd >= 0.11).
    defaultVariant: z.string().nullable(),
    targeting: jsonLogicSchema.optional(),
    metadata: z.record(z.string(), jsonValueSchema).optional(),
  })
  .superRefine((flag, ctx) => {
    const names = Object.keys(flag.variants);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'must define at least one variant' });
    if (flag.defaultVariant !== null && !names.includes(flag.defaultVariant)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultVariant'],
        message: `"${flag.defaultVariant}" is not one of the variants (${names.join(', ') || 'none'})`,
      });
    }
  });
/** One flag as flagd defines it. */
export type FlagState = z.infer<typeof flagDefinitionSchema>;

export const flagdDocumentSchema = z.looseObject({
  $schema: z.string().optional(),
  flags: z.record(z.string(), flagDefinitionSchema),
  $evaluators: z.record(z.string(), jsonLogicSchema).optional(),
  metadata: z.record(z.string(), jsonValueSchema).optional(),
});
export type FlagdDocument = z.infer<typeof flagdDocumentSchema>;

/** A JSONPath-like rendering of a zod issue path: `$.flags["new-checkout"].defaultVariant`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function issuesOf(error: z.ZodError, base: readonly PropertyKey[] = []): string[] {
  return error.issues.map((i) => `${jsonPath([...base, ...i.path])}: ${i.message}`);
}

/** Parses and validates flagd JSON text; every error names the JSON path it is about. */
export function parseFlagdDocument(text: string): ParseResult<FlagdDocument> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`$: not valid JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  return validateFlagdDocument(raw);
}

export function validateFlagdDocument(raw: unknown): ParseResult<FlagdDocument> {
  const r = flagdDocumentSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: issuesOf(r.error) };
}

/** Validates one flag; `path` prefixes the error paths (e.g. `['flags', key]`). */
export function validateFlag(raw: unknown, path: readonly PropertyKey[] = []): ParseResult<FlagState> {
  const r = flagDefinitionSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: issuesOf(r.error, path) };
}

/**
 * flagd's documented fractional rollout: bucket by flag key + targeting key, so
 * the same user stays in the same bucket as the percentage grows, and two flags
 * bucket independently. Weights are relative; here they are percentages.
 */
export function fractionalTargeting(onVariant: string, offVariant: string, percent: number): JsonObject {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`percent must be an integer from 0 to 100, got ${percent}`);
  }
  return {
    fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] }, [onVariant, percent], [offVariant, 100 - percent]],
  };
}

/** True when the flag has targeting that can change a variant (flagd treats `{}` as none). */
export function hasTargeting(flag: FlagState): boolean {
  return flag.targeting !== undefined && Object.keys(flag.targeting).length > 0;
}
