import type { Command } from 'commander';
import { doraByOrigin } from '../../ledger/dora.js';
import { comparisonSentence, renderCsv, renderTable } from '../../ledger/report.js';
import { parseSpan } from '../../ledger/span.js';
import { parseLedgerChanges } from '../../ledger/parse.js';
import { ChangeClient } from '../change-client.js';

const FORMATS = ['table', 'json', 'csv'] as const;

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("DORA's five keys and the downstream share by change origin, from the Change resources")
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('--since <span>', 'the window, back from now (e.g. 30d, 12h)', '30d')
    .option('-n, --namespace <ns>', 'namespace of the Changes')
    .option('-A, --all-namespaces', 'Changes in every namespace')
    .option('-o, --output <format>', FORMATS.join(', '), 'table')
    .action(async (flags: { kubeconfig?: string; since: string; namespace?: string; allNamespaces?: boolean; output: string }) => {
      if (!(FORMATS as readonly string[]).includes(flags.output)) throw new Error(`--output must be one of ${FORMATS.join(', ')}, got "${flags.output}"`);
      if (flags.namespace && flags.allNamespaces) throw new Error('use either -n NAMESPACE or -A, not both');
      const span = parseSpan(flags.since, '--since');
      const client = new ChangeClient(flags);
      const all = flags.allNamespaces === true;
      const { changes, skipped } = parseLedgerChanges(await client.list(all));
      const until = new Date();
      const window = { since: new Date(until.getTime() - span), until };
      const figures = doraByOrigin(changes, window);
      const scope = all ? 'all namespaces' : `namespace ${client.namespace}`;
      if (skipped > 0) process.stderr.write(`warning: ${skipped} Change(s) could not be read and are left out\n`);
      if (flags.output === 'json') {
        const out = { since: window.since.toISOString(), until: until.toISOString(), scope, origins: figures, summary: comparisonSentence(figures, window) };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else process.stdout.write(flags.output === 'csv' ? renderCsv(figures) : renderTable(figures, window, scope));
    });
}
