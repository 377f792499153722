import type { Command } from 'commander';
import { formatDuration } from '../../api/durations.js';
import type { ChangeObject, RolloutObject } from '../../api/objects.js';
import { ChangeClient } from '../change-client.js';
import { RolloutClient } from '../rollout-client.js';

const CHANGE_PREFIX = 'change/';

/** A Change's whole timeline and its figures. */
export function renderChange(c: ChangeObject): string {
  const spec = c.spec;
  const s = c.status;
  const lines = [
    `change ${c.metadata?.namespace}/${c.metadata?.name}${spec?.changeId ? ` (${spec.changeId})` : ''} is ${s?.state ?? 'Unknown'}: ` +
      `origin ${spec?.origin ?? 'unannotated'}, Rollout ${spec?.rollout ?? '?'}, stability window ${spec?.stabilityWindow ?? '?'}`,
    `attempts ${s?.attempts ?? 0}, denials ${s?.denials ?? 0}, canaries ${s?.canaries ?? 0}, canary rollbacks ${s?.canaryRollbacks ?? 0}, escaped failures ${s?.escapedFailures ?? 0}`,
  ];
  if (s?.failure) lines.push(`escaped failure: ${s.failure.kind}${s.failure.by ? ` (${s.failure.by})` : ''} at ${s.failedAt ?? '?'}`);
  const figures = Object.entries(s?.figures ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
  if (figures.length) lines.push('', 'Figures:', ...figures.map(([k, v]) => `  ${k.replace(/Seconds$/, '').padEnd(16)} ${formatDuration(v * 1000)}`));
  const timeline = s?.timeline ?? [];
  lines.push('', timeline.length ? 'Timeline:' : 'Timeline: empty');
  const start = Date.parse(timeline[0]?.at ?? '');
  timeline.forEach((e, i) => {
    const offset = Number.isNaN(start) ? '' : `+${formatDuration(Date.parse(e.at) - start)}`.padEnd(10);
    const detail = [e.revision ? `revision ${e.revision}` : '', e.reason ?? '', e.rules?.length ? `rules ${e.rules.join(', ')}` : '', e.message ?? '']
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${e.at} ${offset} ${e.type.padEnd(15)} ${detail}`.trimEnd());
    if (i === 0 && (s?.timelineDropped ?? 0) > 0) lines.push(`  ... ${s?.timelineDropped} earlier entries dropped (the figures still count them)`);
  });
  return `${lines.join('\n')}\n`;
}

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
  if (s.changes?.canary) lines.push('', `Change: ${s.changes.canary} (clairvoyance explain change/${s.changes.canary} shows its timeline)`);
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
    .argument('<rollout>', 'a Rollout, or change/NAME-OR-CHANGE-ID for a Change')
    .description('explain a Rollout (each gate finding with its rationale and fix, every analysis verdict) or a Change (its whole timeline)')
    .option('--kubeconfig <path>', 'kubeconfig to use')
    .option('-n, --namespace <ns>', 'namespace of the Rollout')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (name: string, flags: { kubeconfig?: string; namespace?: string; output: string }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new Error(`--output must be text or json, got "${flags.output}"`);
      if (name.startsWith(CHANGE_PREFIX)) {
        const c = await new ChangeClient(flags).get(name.slice(CHANGE_PREFIX.length));
        process.stdout.write(flags.output === 'json' ? `${JSON.stringify({ spec: c.spec, status: c.status ?? {} }, null, 2)}\n` : renderChange(c));
        return;
      }
      const r = await new RolloutClient(flags).get(name);
      const s = r.status ?? {};
      process.stdout.write(
        flags.output === 'json'
          ? `${JSON.stringify({ phase: s.phase, reason: s.reason, message: s.message, findings: s.findings ?? [], analysisRuns: s.analysisRuns ?? [], cycle: s.cycle ?? {}, history: s.history ?? [] }, null, 2)}\n`
          : renderExplanation(r),
      );
    });
}
