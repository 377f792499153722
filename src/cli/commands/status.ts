import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { RolloutObject } from '../../api/objects.js';
import { RolloutClient } from '../rollout-client.js';

interface StatusFlags {
  kubeconfig?: string;
  namespace?: string;
  output: string;
  watch?: boolean;
  interval: string;
}

/** A human view of one Rollout: phase, step, weights, traffic, findings and analysis. */
export function renderStatus(r: RolloutObject): string {
  const s = r.status ?? {};
  const steps = ((r.spec as { strategy?: { canary?: { steps?: unknown[] } } } | undefined)?.strategy?.canary?.steps ?? []).length;
  const lines = [
    `Rollout:   ${r.metadata?.namespace}/${r.metadata?.name}`,
    `Phase:     ${s.phase ?? 'Unknown'}${s.reason ? ` (${s.reason})` : ''}`,
    `Message:   ${s.message ?? ''}`,
    `Step:      ${s.currentStepIndex ?? 0}/${steps}`,
    `Weights:   canary ${s.weights?.canary ?? 0}%  stable ${s.weights?.stable ?? 100}%`,
    `Revisions: stable ${s.stableRevision ?? '-'}  canary ${s.canaryRevision ?? '-'}`,
    `Replicas:  ${s.readyReplicas ?? 0}/${s.replicas ?? 0} ready`,
  ];
  // Through a Gateway: whether the routes carry what the controller set, in the Gateway's words.
  const routed = s.conditions?.find((c) => c.type === 'TrafficRouted');
  if (routed)
    lines.push(
      `Traffic:   ${routed.status === 'True' ? 'routed' : routed.status === 'False' ? 'NOT routed' : 'pending'} (${routed.reason}): ${routed.message}`,
    );
  if (s.provenance?.origin) lines.push(`Origin:    ${s.provenance.origin}${s.provenance.generator ? ` (${s.provenance.generator})` : ''}`);
  for (const f of s.findings ?? []) lines.push(`Finding:   [${f.enforcement}] ${f.ruleId}: ${f.message}${f.fix ? ` — fix: ${f.fix}` : ''}`);
  for (const run of s.analysisRuns ?? []) {
    lines.push(`Analysis:  ${run.name} ${run.phase}${run.message ? ` — ${run.message}` : ''}`);
    for (const m of run.metrics) {
      const last = m.measurements.at(-1);
      lines.push(`  ${m.name.padEnd(24)} ${m.phase.padEnd(12)} ${last?.value ?? ''} (${m.successful} ok, ${m.failed} failed, ${m.inconclusive} inconclusive)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .argument('[rollout]', 'a Rollout; all in the namespace when omitted')
    .description('show phase, step, weights, findings and analysis; --watch for a live view')
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('-n, --namespace <ns>', 'namespace')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .option('-w, --watch', 'refresh until interrupted')
    .option('--interval <seconds>', 'refresh interval for --watch', '2')
    .action(async (name: string | undefined, flags: StatusFlags) => {
      if (!['text', 'json', 'yaml'].includes(flags.output)) throw new Error(`--output must be text, json or yaml, got "${flags.output}"`);
      const client = new RolloutClient(flags);
      const render = async (): Promise<string> => {
        const items = name ? [await client.get(name)] : await client.list();
        if (flags.output === 'json') return `${JSON.stringify(name ? items[0] : items, null, 2)}\n`;
        if (flags.output === 'yaml') return stringify(name ? items[0] : items);
        return items.length ? items.map(renderStatus).join('\n') : `no rollouts in ${client.namespace}\n`;
      };
      if (!flags.watch) {
        process.stdout.write(await render());
        return;
      }
      const intervalMs = Math.max(0.2, Number(flags.interval) || 2) * 1000;
      for (;;) {
        const text = await render();
        process.stdout.write(`\x1b[2J\x1b[H${new Date().toISOString()}\n${text}`);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    });
}
