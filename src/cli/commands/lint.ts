import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { lintSources, type LintReport, type LintSource } from '../../api/lint.js';

interface LintOptions {
  output: 'text' | 'json';
  strict?: boolean;
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description(
      'validate Clairvoyance manifests (schema, PromQL, CEL, durations, template arguments, step order) ' +
        'with the same checks as the admission webhook; exits 1 on errors',
    )
    .argument('<files...>', 'YAML files or directories (searched for *.yaml, *.yml); - reads stdin')
    .option('-o, --output <format>', 'output format: text or json', 'text')
    .option('--strict', 'treat warnings as errors')
    .action(async (paths: string[], options: LintOptions) => {
      if (options.output !== 'text' && options.output !== 'json') {
        throw new Error(`unknown output format "${String(options.output)}" (use text or json)`);
      }
      const report = lintSources(await readSources(paths));
      process.stdout.write(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
      const failed = report.errors > 0 || (options.strict === true && report.warnings > 0);
      process.exitCode = failed ? 1 : 0;
    });
}

async function readSources(paths: readonly string[]): Promise<LintSource[]> {
  const sources: LintSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ file: '<stdin>', text: await readStdin() });
    } else if ((await stat(path)).isDirectory()) {
      for (const file of await yamlFilesUnder(path)) sources.push({ file, text: await readFile(file, 'utf8') });
    } else {
      sources.push({ file: path, text: await readFile(path, 'utf8') });
    }
  }
  return sources;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return yamlFilesUnder(path);
        return ['.yaml', '.yml'].includes(extname(e.name)) ? [path] : [];
      }),
  );
  return nested.flat();
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Per file, per document, per field path; a summary line at the end. */
export function formatText(report: LintReport): string {
  const out: string[] = [];
  for (const { file, documents } of report.files) {
    const checked = documents.filter((d) => d.checked || d.issues.length > 0);
    const problems = checked.filter((d) => d.issues.length > 0);
    if (problems.length === 0) {
      out.push(`${file}: ok (${checked.length} Clairvoyance document${checked.length === 1 ? '' : 's'})`);
      continue;
    }
    out.push(file);
    for (const doc of problems) {
      const name = [doc.namespace, doc.name].filter((s) => s !== undefined).join('/');
      out.push(`  ${doc.kind ?? 'document'}${name ? ` ${name}` : ''} (document ${doc.index + 1}, line ${doc.line})`);
      for (const issue of doc.issues) {
        const where = `${file}:${issue.line ?? doc.line}`;
        out.push(`    ${issue.severity.padEnd(7)} ${issue.path || '(document)'}: ${issue.message}`);
        out.push(`            fix: ${issue.fix}  [${where}]`);
      }
    }
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  out.push(`${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')} in ${plural(report.files.length, 'file')}`);
  return `${out.join('\n')}\n`;
}
