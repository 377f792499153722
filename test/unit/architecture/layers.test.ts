// The layers point one way, checked on every module's imports (static, re-exports and
// dynamic): the contract (src/api, src/cel) depends on no other layer; the core
// (src/rollout, src/gates, src/analysis) on no client library and no shell; the webhook
// and the CLI not on the controller.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  /** The module as written. */
  specifier: string;
  /** Repository-relative path of a local module (`src/api/index.ts`); undefined for a package. */
  local?: string;
  dynamic: boolean;
}

const IMPORT = /^\s*(?:import|export)\s(?:type\s)?[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[1] ?? m[2] ?? m[3];
    if (specifier === undefined) continue;
    const dynamic = m[3] !== undefined;
    if (!specifier.startsWith('.')) {
      out.push({ specifier, dynamic });
      continue;
    }
    const local = relative(root, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
    out.push({ specifier, local, dynamic });
  }
  return out;
}

const files = sources(src).map((f) => ({ path: relative(root, f), imports: importsOf(f) }));
const under =
  (...dirs: string[]) =>
  (path: string) =>
    dirs.some((d) => path.startsWith(`src/${d}/`) || path === `src/${d}.ts`);

/** Every import of a file under `from` that `forbidden` rejects, as `file -> module`. */
function violations(from: (path: string) => boolean, forbidden: (i: Import) => boolean): string[] {
  return files.filter((f) => from(f.path)).flatMap((f) => f.imports.filter(forbidden).map((i) => `${f.path} -> ${i.specifier}`));
}

/** Local modules reachable from `start` through static imports (dynamic ones load on demand). */
function reachable(start: string): Set<string> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const seen = new Set<string>();
  const todo = [start];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const i of byPath.get(next)?.imports ?? []) if (i.local && !i.dynamic) todo.push(i.local);
  }
  return seen;
}

const core = under('rollout', 'gates', 'analysis');
const contract = under('api', 'cel');

describe('layers', () => {
  it('finds the imports it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf(join(src, 'rollout/plan-rollout.ts')).map((i) => i.local)).toContain('src/rollout/state.ts');
  });

  it('the contract and the core import no client library types', () => {
    expect(
      violations(
        (p) => contract(p) || core(p),
        (i) => i.specifier.startsWith('@kubernetes/'),
      ),
    ).toEqual([]);
  });

  it('the contract (src/api, src/cel) imports no other layer', () => {
    expect(violations(under('api'), (i) => i.local !== undefined && !contract(i.local))).toEqual([]);
    expect(violations(under('cel'), (i) => i.local !== undefined && !under('cel')(i.local))).toEqual([]);
  });

  it('the core imports no shell', () => {
    const shell = under('controller', 'webhook', 'kube', 'cli', 'main', 'telemetry', 'doctor');
    expect(violations(core, (i) => i.local !== undefined && shell(i.local))).toEqual([]);
  });

  it('the webhook and the CLI import nothing from the controller', () => {
    expect(violations(under('webhook', 'cli'), (i) => i.local !== undefined && under('controller')(i.local))).toEqual([]);
  });

  it('the webhook and the CLI do not pull in the controller, even indirectly (`run` loads it on demand)', () => {
    for (const entry of ['src/webhook/index.ts', 'src/cli/main.ts']) {
      expect(reachable(entry).has(entry)).toBe(true);
      expect([...reachable(entry)].filter(under('controller', 'main'))).toEqual([]);
    }
  });
});
