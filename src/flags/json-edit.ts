// Minimal-diff edits of JSON text. A flag file in a ConfigMap is written by
// people (and reviewed in Git): a flag change must touch only the members that
// changed, keeping every other byte (order, indentation, spacing) as it was.
// jsonc-parser computes the edits; this module only decides how the new text
// is laid out, so it matches the text around it.
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, findNodeAtLocation, format, modify, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Edit, FormattingOptions, Node, ParseError } from 'jsonc-parser';

export type { Node as JsonNode } from 'jsonc-parser';

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Parses strict JSON (no comments, no trailing commas) into a tree of offsets. */
export function parseJsonTree(text: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) throw new JsonSyntaxError(printParseErrorCode(first.error), first.offset);
  if (!root) throw new JsonSyntaxError('no JSON value', 0);
  return root;
}

/** The node at `path` (object keys only), or undefined. */
export function nodeAt(root: Node, path: readonly string[]): Node | undefined {
  return findNodeAtLocation(root, [...path]);
}

/** The document's layout; undefined when it is compact (one line, nothing to match). */
function layoutOf(text: string): FormattingOptions | undefined {
  if (!text.includes('\n')) return undefined;
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const tabs = indent.startsWith('\t');
  return { insertSpaces: !tabs, tabSize: tabs ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function multiline(text: string, node: Node): boolean {
  return text.slice(node.offset, node.offset + node.length).includes('\n');
}

/**
 * Applies one member edit and lays out only the text it wrote: a value spread
 * over lines stays spread, one written on one line stays on one line, and
 * neighbouring members are never reformatted.
 */
function apply(text: string, edit: Edit, layout: FormattingOptions | undefined, oneLine: boolean): string {
  const out = applyEdits(text, [edit]);
  if (!layout) return out;
  // A removal wrote nothing: look at the seam it left (e.g. "{" followed by the next member).
  const range = edit.content === '' ? { offset: Math.max(0, edit.offset - 1), length: 2 } : { offset: edit.offset, length: edit.content.length };
  return applyEdits(out, format(out, range, { ...layout, keepLines: oneLine }));
}

/**
 * Rewrites the object at `path` so it equals `next`, editing only the members
 * whose values differ. Returns the new text; throws when `path` is not an object.
 */
export function replaceObjectAt(text: string, path: readonly string[], next: Record<string, unknown>): string {
  const layout = layoutOf(text);
  const target = (t: string): Node => {
    const node = nodeAt(parseJsonTree(t), path);
    if (node?.type !== 'object') throw new Error(`no object at ${path.join('.')}`);
    return node;
  };
  const initial = target(text);
  const before = JSON.parse(text.slice(initial.offset, initial.offset + initial.length)) as Record<string, unknown>;
  let out = text;
  // One member at a time, re-parsing in between: documents are small and offsets never go stale.
  const edit = (key: string, value: unknown): void => {
    const obj = target(out);
    const existing = nodeAt(obj, [key]);
    const oneLine = !multiline(out, existing && value !== undefined ? existing : obj);
    for (const e of modify(out, [...path, key], value, {})) out = apply(out, e, layout, oneLine);
  };
  for (const key of Object.keys(before)) if (next[key] === undefined) edit(key, undefined);
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || (key in before && isDeepStrictEqual(before[key], value))) continue;
    edit(key, value);
  }
  return out;
}
