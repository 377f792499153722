// JSON comparison and RFC 7386 merge-patch construction for status objects.
// Key order never matters; `undefined` members count as absent, as in JSON.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/** Structural equality of JSON-like values, ignoring object key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ak = definedKeys(a);
    const bk = definedKeys(b);
    if (ak.length !== bk.length) return false;
    for (const k of ak) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * The merge patch that turns `from` into `to`: changed members are set,
 * members missing from `to` are set to null (merge-patch deletion), nested
 * objects are diffed recursively and arrays are replaced whole. Returns
 * undefined when nothing differs. Null values inside `to` cannot be expressed
 * in a merge patch and are treated as deletions.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (deepEqual(from, to)) return undefined;
  if (!isPlainObject(from) || !isPlainObject(to)) return to === undefined ? null : to;
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) {
    if (from[k] !== undefined && (to[k] === undefined || to[k] === null) && from[k] !== null) patch[k] = null;
  }
  for (const k of Object.keys(to)) {
    const t = to[k];
    if (t === undefined || t === null) continue;
    const f = from[k];
    if (f === undefined || f === null) {
      patch[k] = t;
      continue;
    }
    const sub = createMergePatch(f, t);
    if (sub !== undefined) patch[k] = sub;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Apply an RFC 7386 merge patch (used to check patches round-trip). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
