import type { Command } from 'commander';
import type { RolloutObject } from '../../controller/resources.js';
import { RolloutClient } from '../rollout-client.js';

/** Why a Rollout is where it is: each gate finding with its rationale and fix, and each analysis verdict. */
export function renderExplanation(r: RolloutObject): string {
  const s = r.status ?? {};
  const lines = [`${r.metadata?.namespace}/${r.metadata?.name} is ${s.phase ?? 'Unknown'}${s.reason ? ` (${s.reason})` : ''}: ${s.message ?? ''}`];
  if (s.provenance?.origin)
    lines.push(
      `change: origin ${s.provenance.origin}${s.provenance.generator ? `, generator ${s.provenance.generator}` : ''}${s.provenance.changeId ? `, change ${s.provenance.changeId}` : ''}`,
    );
  const findings = s.findings ?? [];
  lines.push('', findings.length ? 'Gate findings:' : 'Gate findings: none');
  for (const f of findings) {
    lines.push(`  [${f.enforcement}] ${f.ruleId} (${f.policy}): ${f.message}`);
    if (f.rationale) lines.push(`      why: ${f.rationale}`);
    if (f.fix) lines.push(`      fix: ${f.fix}`);
    if (f.reference) lines.push(`      see: ${f.reference}`);
  }
  const runs = s.analysisRuns ?? [];
  lines.push('', runs.length ? 'Analysis:' : 'Analysis: none yet');
  for (const run of runs) {
    lines.push(`  ${run.name} (${run.templates.join(', ')}): ${run.phase}${run.message ? ` — ${run.message}` : ''}`);
    for (const m of run.metrics) {
      const last = m.measurements.at(-1);
      lines.push(`      ${m.name}: ${m.phase}${last?.value !== undefined ? `, last value ${last.value}` : ''}${m.message ? ` — ${m.message}` : ''}`);
    }
  }
  const cycle = s.cycle ?? {};
  const stamps = Object.entries(cycle).filter(([, v]) => v);
  if (stamps.length) lines.push('', 'Cycle:', ...stamps.map(([k, v]) => `  ${k.padEnd(16)} ${v}`));
  const history = s.history ?? [];
  if (history.length) {
    lines.push('', `Earlier canaries (newest last; replay them with clairvoyance backtest --changes):`);
    for (const h of history) {
      const analyses = (h.analyses ?? []).map((a) => `${a.templates.map((t) => t.name).join('+')} ${a.phase}`).join(', ');
      lines.push(
        `  ${h.endedAt} ${h.revision} ${h.outcome}${h.reason && h.reason !== h.outcome ? ` (${h.reason})` : ''}${h.origin ? `, origin ${h.origin}` : ''}${analyses ? `: ${analyses}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .argument('<rollout>')
    .description('explain a Rollout: each gate finding with its rationale and fix, and every analysis verdict')
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('-n, --namespace <ns>', 'namespace of the Rollout')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (name: string, flags: { kubeconfig?: string; namespace?: string; output: string }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new Error(`--output must be text or json, got "${flags.output}"`);
      const r = await new RolloutClient(flags).get(name);
      const s = r.status ?? {};
      process.stdout.write(
        flags.output === 'json'
          ? `${JSON.stringify({ phase: s.phase, reason: s.reason, message: s.message, findings: s.findings ?? [], analysisRuns: s.analysisRuns ?? [], cycle: s.cycle ?? {}, history: s.history ?? [] }, null, 2)}\n`
          : renderExplanation(r),
      );
    });
}
