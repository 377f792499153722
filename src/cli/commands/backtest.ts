import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_DISCOVERY_GRACE_MS, parseDuration, ProviderFactory } from '../../analysis/index.js';
import { backtestChanges, formatChanges } from '../../backtest/changes.js';
import { formatReplay } from '../../backtest/format.js';
import { backtestWindow, describeWindow } from '../../backtest/run-backtest.js';
import { BacktestInputError, loadTemplate } from '../../backtest/template-source.js';
import { parseLookback, parseTime } from '../../backtest/times.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';

interface BacktestFlags {
  template: string;
  arg: string[];
  canary?: string;
  stable?: string;
  baseline?: string;
  from?: string;
  to: string;
  incident?: string;
  mode: string;
  prometheusUrl?: string;
  signalDiscoveryGrace?: string;
  rollout?: string;
  namespace?: string;
  kubeconfig?: string;
  output: string;
  html?: string;
  changes?: boolean;
  since: string;
  allNamespaces?: boolean;
}

function parseArgs(values: string[]): { name: string; value: string }[] {
  return values.map((a) => {
    const at = a.indexOf('=');
    if (at <= 0) throw new BacktestInputError(`--arg "${a}" must be NAME=VALUE`);
    return { name: a.slice(0, at), value: a.slice(at + 1) };
  });
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('replay an analysis template over Prometheus history: what would it have decided, and when?')
    .requiredOption('--template <file|name>', 'a template file, or the name of an AnalysisTemplate (-n) or ClusterAnalysisTemplate')
    .option('--arg <name=value...>', "values for the template's args (repeatable)", [])
    .option('--canary <revision>', 'the canary revision ({{canary.revision}})')
    .option('--stable <revision>', 'the stable revision ({{stable.revision}}; compare against stable)')
    .option('--baseline <revision>', 'the baseline revision (compare against baseline)')
    .option('--from <time>', 'start of the window: RFC 3339, Unix seconds, or now-6h')
    .option('--to <time>', 'end of the window', 'now')
    .option('--incident <time>', 'when the incident began: would the analysis have caught it?')
    .option('--mode <mode>', 'background (metrics without count measure across the window) or step (one measurement, as a step analysis)', 'background')
    .option('--prometheus-url <url>', 'the Prometheus holding the history (default $PROMETHEUS_URL)')
    .option('--signal-discovery-grace <duration>', `grace for observability signals after the start (default ${DEFAULT_DISCOVERY_GRACE_MS / 1000}s)`)
    .option('--rollout <name>', 'Rollout name for {{rollout.name}}')
    .option('-n, --namespace <ns>', 'namespace of a named AnalysisTemplate and of --rollout', 'default')
    .option('--kubeconfig <path>', 'kubeconfig, to read a named template')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--html <file>', 'also write a self-contained page with one chart per metric')
    .option('--changes', 'replay every canary recorded in Rollout status (-n or -A) with the template: false alarms and misses')
    .option('--since <duration>', 'with --changes: canaries that ended within this long', '30d')
    .option('-A, --all-namespaces', 'with --changes: Rollouts in every namespace')
    .action(async (flags: BacktestFlags) => {
      if (flags.output !== 'table' && flags.output !== 'json') throw new BacktestInputError(`-o/--output must be table or json, got "${flags.output}"`);
      if (flags.mode !== 'background' && flags.mode !== 'step') throw new BacktestInputError(`--mode must be background or step, got "${flags.mode}"`);
      const prometheusUrl = flags.prometheusUrl ?? process.env.PROMETHEUS_URL;
      if (!prometheusUrl) throw new BacktestInputError('no Prometheus: pass --prometheus-url or set $PROMETHEUS_URL');
      if (flags.changes) {
        await runChanges(flags, prometheusUrl);
        return;
      }
      if (!flags.canary) throw new BacktestInputError('--canary REVISION is required: the revision whose pods the window judges');
      if (!flags.from) throw new BacktestInputError('--from TIME is required (for example now-6h or 2026-12-01T08:00:00Z)');
      const now = new Date();
      const from = parseTime(flags.from, '--from', now);
      const to = parseTime(flags.to, '--to', now);
      const incident = flags.incident ? parseTime(flags.incident, '--incident', now) : undefined;
      const template = await loadTemplate(flags.template, () => ({ kc: loadKubeConfig(flags.kubeconfig), namespace: flags.namespace ?? 'default' }));
      const graceMs = flags.signalDiscoveryGrace ? parseDuration(flags.signalDiscoveryGrace) : undefined;
      const factory = new ProviderFactory({ defaultPrometheusAddress: prometheusUrl });
      const started = Date.now();
      let lastProgress = 0;
      try {
        process.stderr.write(`backtest: ${template.origin} over ${describeWindow(from, to)} against ${prometheusUrl}\n`);
        const outcome = await backtestWindow(
          {
            template,
            args: parseArgs(flags.arg),
            prometheusUrl,
            canary: flags.canary,
            ...(flags.stable ? { stable: flags.stable } : {}),
            ...(flags.baseline ? { baseline: flags.baseline } : {}),
            ...(flags.rollout ? { rollout: { name: flags.rollout, namespace: flags.namespace ?? 'default' } } : {}),
            from,
            to,
            ...(incident ? { incident } : {}),
            mode: flags.mode,
            ...(graceMs !== undefined ? { signals: { discoveryGraceMs: graceMs } } : {}),
            now,
            onProgress: (at) => {
              // Long windows: a line every 2 s, so a slow Prometheus is visible.
              if (Date.now() - lastProgress < 2_000) return;
              lastProgress = Date.now();
              const done = (at.getTime() - from.getTime()) / (to.getTime() - from.getTime());
              process.stderr.write(`backtest: ${Math.round(done * 100)}% (at ${at.toISOString()})\n`);
            },
          },
          factory,
        );
        process.stderr.write(`backtest: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        if (flags.output === 'json') {
          const { run: _run, ...rest } = outcome.result;
          process.stdout.write(
            `${JSON.stringify({ template: template.origin, from: from.toISOString(), to: to.toISOString(), ...rest, ...(outcome.incident ? { incident: outcome.incident } : {}) }, null, 2)}\n`,
          );
        } else {
          process.stdout.write(formatReplay(outcome.result, { template: template.origin, ...(outcome.incident ? { incident: outcome.incident } : {}) }));
        }
        if (flags.html) {
          // vega and vega-lite (about 30 MiB resident) load only for --html, not with every command.
          const { renderHtml } = await import('../../backtest/html.js');
          writeFileSync(
            flags.html,
            await renderHtml({
              template: template.origin,
              metrics: outcome.metrics,
              result: outcome.result,
              ...(incident && outcome.incident ? { incident: { at: incident, verdict: outcome.incident } } : {}),
            }),
          );
          process.stderr.write(`backtest: wrote ${flags.html}\n`);
        }
      } finally {
        factory.close();
      }
    });
}

async function runChanges(flags: BacktestFlags, prometheusUrl: string): Promise<void> {
  const sinceMs = parseLookback(flags.since, '--since');
  const kc = loadKubeConfig(flags.kubeconfig);
  const namespace = flags.allNamespaces ? undefined : (flags.namespace ?? 'default');
  const candidate = await loadTemplate(flags.template, () => ({ kc, namespace: namespace ?? 'default' }));
  const factory = new ProviderFactory({ defaultPrometheusAddress: prometheusUrl });
  try {
    process.stderr.write(
      `backtest: ${candidate.origin} against the canaries recorded ${namespace ? `in ${namespace}` : 'in every namespace'} since ${flags.since} ago\n`,
    );
    const report = await backtestChanges(
      {
        kc,
        ...(namespace ? { namespace } : {}),
        candidate,
        args: parseArgs(flags.arg),
        prometheusUrl,
        sinceMs,
        ...(flags.signalDiscoveryGrace ? { signals: { discoveryGraceMs: parseDuration(flags.signalDiscoveryGrace) } } : {}),
        onRow: (r) => process.stderr.write(`backtest: ${r.rollout} ${r.revision}: ${r.classification}\n`),
      },
      factory,
    );
    process.stdout.write(flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatChanges(report));
  } finally {
    factory.close();
  }
}
