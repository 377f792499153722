import { parser } from '@prometheus-io/lezer-promql';
import { PLACEHOLDER } from './placeholders.js';

interface Position {
  inString: boolean;
  inRange: boolean;
}

/** Whether an offset sits inside a string literal or a `[range]`. */
function positionAt(text: string, offset: number): Position {
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
  }
  return { inString: quote !== undefined, inRange: depth > 0 };
}

/**
 * Placeholders are not PromQL, so each is replaced by something that parses where it
 * stands: any text inside strings, a duration inside [ranges], and elsewhere either a
 * number (`> {{args.threshold}}`) or an identifier (`by ({{args.label}})`).
 */
function substitute(query: string, bare: string): string {
  return query.replace(PLACEHOLDER, (_whole, _name: string, offset: number) => {
    const pos = positionAt(query, offset);
    if (pos.inString) return 'x';
    if (pos.inRange) return '5m';
    return bare;
  });
}

function firstError(query: string): { from: number; to: number } | undefined {
  let found: { from: number; to: number } | undefined;
  parser.parse(query).iterate({
    enter: (node) => {
      if (found !== undefined) return false;
      if (node.type.isError) found = { from: node.from, to: node.to };
      return undefined;
    },
  });
  return found;
}

/** Why a (templated) PromQL query does not parse, or undefined when it does. */
export function promqlError(query: string): string | undefined {
  if (query.trim() === '') return 'the query is empty';
  const candidates = [...new Set([substitute(query, '1'), substitute(query, 'placeholder')])];
  let first: { text: string; at: { from: number; to: number } } | undefined;
  for (const text of candidates) {
    const at = firstError(text);
    if (at === undefined) return undefined;
    first ??= { text, at };
  }
  if (first === undefined) return undefined;
  const { text, at } = first;
  const near = text.slice(Math.max(0, at.from - 20), at.to + 20).replace(/\s+/g, ' ');
  const where = at.from >= text.length ? 'at the end of the query' : `at offset ${at.from}`;
  return `PromQL does not parse: syntax error ${where} near "${near}"`;
}
