// Minimal-diff edits of JSON text. A flag file in a ConfigMap is written by
// people (and reviewed in Git): a flag change must touch only the members that
// changed, keeping every other byte (order, indentation, spacing) as it was.

import { isDeepStrictEqual } from 'node:util';

export interface JsonSpan {
  start: number;
  end: number;
}

export interface JsonMember {
  key: string;
  keySpan: JsonSpan;
  value: JsonNode;
}

export type JsonNode =
  (JsonSpan & { kind: 'object'; members: JsonMember[] }) | (JsonSpan & { kind: 'array'; items: JsonNode[] }) | (JsonSpan & { kind: 'scalar' });

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Parses JSON text into a tree of spans (values are read back with JSON.parse on a span). */
export function parseJsonTree(text: string): JsonNode {
  let pos = 0;

  const ws = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] as string)) pos++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(what, pos);
  };

  const string = (): JsonSpan => {
    const start = pos;
    if (text[pos] !== '"') fail('expected a string');
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return { start, end: pos };
  };

  const value = (): JsonNode => {
    ws();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const members: JsonMember[] = [];
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', start, end: pos, members };
      }
      for (;;) {
        ws();
        const keySpan = string();
        const key = JSON.parse(text.slice(keySpan.start, keySpan.end)) as string;
        ws();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        members.push({ key, keySpan, value: value() });
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', start, end: pos, members };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', start, end: pos, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { kind: 'array', start, end: pos, items };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'scalar', ...string() };
    const m = /^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('expected a JSON value');
    pos += m[0].length;
    return { kind: 'scalar', start, end: pos };
  };

  const root = value();
  ws();
  if (pos !== text.length) fail('unexpected text after the JSON value');
  return root;
}

/** The last member named `key` (JSON.parse keeps the last of duplicates too). */
export function memberOf(node: JsonNode, key: string): JsonMember | undefined {
  if (node.kind !== 'object') return undefined;
  for (let i = node.members.length - 1; i >= 0; i--) if (node.members[i]?.key === key) return node.members[i];
  return undefined;
}

/** How the document is laid out, so new text matches the old. */
export interface JsonStyle {
  /** One indentation level, e.g. two spaces or a tab. Empty: the text is compact. */
  indent: string;
  newline: string;
}

export function detectStyle(text: string): JsonStyle {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  return { indent: m?.[1] ?? (text.includes('\n') ? '  ' : ''), newline };
}

/** Leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** Serializes `value` as it would appear at a position whose line is indented by `base`. */
function format(value: unknown, style: JsonStyle, base: string, compact: boolean): string {
  if (compact || style.indent === '') return JSON.stringify(value);
  return JSON.stringify(value, null, style.indent).split('\n').join(`${style.newline}${base}`);
}

function isMultiline(text: string, span: JsonSpan): boolean {
  return text.slice(span.start, span.end).includes('\n');
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Sets `obj[key] = value` in place, or appends the member when absent. */
export function setMember(text: string, obj: JsonNode, key: string, value: unknown, style: JsonStyle): string {
  if (obj.kind !== 'object') throw new Error('setMember: not an object');
  const compact = !isMultiline(text, obj);
  const existing = memberOf(obj, key);
  if (existing) {
    const base = lineIndent(text, existing.keySpan.start);
    // A nested value someone wrote on one line stays on one line.
    const oneLine = compact || (existing.value.kind !== 'scalar' && !isMultiline(text, existing.value));
    return splice(text, existing.value.start, existing.value.end, format(value, style, base, oneLine));
  }
  const last = obj.members[obj.members.length - 1];
  if (!last) {
    const base = lineIndent(text, obj.start);
    const inner = compact ? '' : `${style.newline}${base}${style.indent}`;
    const member = `${JSON.stringify(key)}: ${format(value, style, base + style.indent, compact)}`;
    return splice(text, obj.start, obj.end, `{${inner}${member}${compact ? '' : `${style.newline}${base}`}}`);
  }
  // Copy the separators the siblings use: what sits between a comma and a key, and around the colon.
  const prev = obj.members[obj.members.length - 2];
  const colon = text.slice(last.keySpan.end, last.value.start);
  // With one member there is no comma to copy: on one line, space like the colon does.
  const lead = prev
    ? text.slice(text.indexOf(',', prev.value.end) + 1, last.keySpan.start)
    : compact
      ? (/\s*$/.exec(colon)?.[0] ?? '')
      : text.slice(obj.start + 1, last.keySpan.start);
  const base = lineIndent(text, last.keySpan.start);
  const member = `,${lead}${JSON.stringify(key)}${colon}${format(value, style, base, compact)}`;
  return splice(text, last.value.end, last.value.end, member);
}

/** Removes `obj[key]` with its separating comma; a no-op when absent. */
export function removeMember(text: string, obj: JsonNode, key: string): string {
  if (obj.kind !== 'object') throw new Error('removeMember: not an object');
  const i = obj.members.findIndex((m) => m.key === key);
  const member = obj.members[i];
  if (!member) return text;
  const next = obj.members[i + 1];
  const prev = obj.members[i - 1];
  if (next) return splice(text, member.keySpan.start, next.keySpan.start, '');
  if (prev) return splice(text, prev.value.end, member.value.end, '');
  return splice(text, obj.start, obj.end, '{}');
}

/** The node at `path` (object keys only), or undefined. */
export function nodeAt(root: JsonNode, path: readonly string[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const key of path) {
    node = node ? memberOf(node, key)?.value : undefined;
  }
  return node;
}

/**
 * Rewrites the object at `path` so it equals `next`, editing only the members
 * whose values differ. Returns the new text; throws when `path` is not an object.
 */
export function replaceObjectAt(text: string, path: readonly string[], next: Record<string, unknown>): string {
  const style = detectStyle(text);
  const target = (t: string): JsonNode => {
    const node = nodeAt(parseJsonTree(t), path);
    if (node?.kind !== 'object') throw new Error(`no object at ${path.join('.')}`);
    return node;
  };
  let out = text;
  const initial = target(text);
  const before = JSON.parse(text.slice(initial.start, initial.end)) as Record<string, unknown>;
  // Re-parse after every edit: documents are small and offsets then never go stale.
  for (const key of Object.keys(before)) {
    if (!(key in next) || next[key] === undefined) out = removeMember(out, target(out), key);
  }
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    if (key in before && isDeepStrictEqual(before[key], value)) continue;
    out = setMember(out, target(out), key, value, style);
  }
  return out;
}
