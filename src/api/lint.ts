import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import type { AnalysisTemplateSpec } from './analysis-template.js';
import { clairvoyanceKindOf } from './documents.js';
import type { AnalysisTemplateRef } from './rollout.js';
import { validateDocument, type TemplateLookup } from './validate/index.js';
import type { ValidationIssue } from './validate/issue.js';

export interface LintSource {
  file: string;
  text: string;
}

export interface LintIssue extends ValidationIssue {
  /** 1-based line of the field in the file, when it can be located. */
  line?: number;
}

export interface LintDocument {
  /** 0-based position of the document in its file. */
  index: number;
  line: number;
  kind?: string;
  name?: string;
  namespace?: string;
  /** Whether the document belongs to this API group (others are only parsed). */
  checked: boolean;
  issues: LintIssue[];
}

export interface LintFile {
  file: string;
  documents: LintDocument[];
}

export interface LintReport {
  files: LintFile[];
  errors: number;
  warnings: number;
}

interface Parsed {
  file: string;
  index: number;
  doc: Document;
  value: unknown;
  lines: LineCounter;
}

/**
 * Lints manifests: every document is parsed as kubectl reads YAML (1.1, so `on`/`off`
 * are booleans) and validated with the same function the admission webhook uses.
 * Templates defined anywhere in the linted files satisfy Rollouts' references.
 */
export function lintSources(sources: readonly LintSource[]): LintReport {
  const parsed: Parsed[] = sources.flatMap(({ file, text }) => {
    const lines = new LineCounter();
    return parseAllDocuments(text, { version: '1.1', lineCounter: lines }).map((doc, index) => ({
      file,
      index,
      doc,
      value: doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined,
      lines,
    }));
  });
  const lookupTemplate = templateLookup(parsed);

  const files = new Map<string, LintDocument[]>(sources.map((s) => [s.file, []]));
  for (const p of parsed) {
    const line = p.doc.contents?.range ? p.lines.linePos(p.doc.contents.range[0]).line : 1;
    if (p.doc.errors.length > 0) {
      files.get(p.file)?.push({
        index: p.index,
        line,
        checked: false,
        issues: p.doc.errors.map((e) => ({
          path: '',
          severity: 'error',
          message: `YAML: ${e.message.split('\n')[0] ?? ''}`,
          fix: 'fix the YAML syntax',
          line: e.linePos?.[0].line,
        })),
      });
      continue;
    }
    if (p.value === null || p.value === undefined) continue; // empty document, e.g. a trailing ---
    const meta = describe(p.value);
    const issues = validateDocument(p.value, { lookupTemplate }).map((issue) => ({
      ...issue,
      line: lineOf(p, issue.path) ?? line,
    }));
    files.get(p.file)?.push({ index: p.index, line, ...meta, checked: isChecked(p.value), issues });
  }

  const all = [...files.values()].flat().flatMap((d) => d.issues);
  return {
    files: [...files].map(([file, documents]) => ({ file, documents })),
    errors: all.filter((i) => i.severity === 'error').length,
    warnings: all.filter((i) => i.severity === 'warning').length,
  };
}

function isChecked(value: unknown): boolean {
  const apiVersion = (value as { apiVersion?: unknown }).apiVersion;
  return clairvoyanceKindOf(value) !== undefined || (typeof apiVersion === 'string' && apiVersion.startsWith('clairvoyance.dev'));
}

function describe(value: unknown): { kind?: string; name?: string; namespace?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const { kind, metadata } = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { kind: str(kind), name: str(metadata?.name), namespace: str(metadata?.namespace) };
}

function templateLookup(parsed: readonly Parsed[]): TemplateLookup {
  const templates = parsed.flatMap((p) => {
    const kind = clairvoyanceKindOf(p.value);
    if (kind !== 'AnalysisTemplate' && kind !== 'ClusterAnalysisTemplate') return [];
    const { metadata, spec } = p.value as { metadata?: { name?: string; namespace?: string }; spec?: AnalysisTemplateSpec };
    if (spec === undefined || !Array.isArray(spec.metrics)) return [];
    return [{ kind, name: metadata?.name, namespace: metadata?.namespace, spec }];
  });
  return (ref: AnalysisTemplateRef, namespace: string | undefined) => {
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    // A manifest often leaves the namespace to kubectl -n, so an unset namespace matches any.
    return templates.find(
      (t) =>
        t.kind === kind &&
        t.name === ref.name &&
        (kind === 'ClusterAnalysisTemplate' || t.namespace === undefined || namespace === undefined || t.namespace === namespace),
    )?.spec;
  };
}

/** `spec.steps[0].setWeight` -> ['spec', 'steps', 0, 'setWeight']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** Line of the deepest node of the path that exists in the document. */
function lineOf(p: Parsed, path: string): number | undefined {
  const segments = splitPath(path);
  for (let n = segments.length; n > 0; n--) {
    const node = p.doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return undefined;
}
