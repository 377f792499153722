// `backtest --changes`: every ended canary the controller recorded in Rollout status,
// replayed with a candidate template beside the templates that actually ran.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  aggregateRun,
  resolveAnalysis,
  type AnalysisPhase,
  type MetricStatus,
  type ProviderFactory,
  type SignalOptions,
  type TemplateSource,
} from '../analysis/index.js';
import { analysisTemplateSpecSchema, GROUP, VERSION, type AnalysisTemplateSpec, type CanaryRecord } from '../api/index.js';
import { backtestWindow } from './run-backtest.js';
import { replayAnalysis } from './replay.js';
import type { LoadedTemplate } from './template-source.js';

export type Classification = 'agrees' | 'false alarm' | 'miss' | 'no data';

export interface ChangeRow {
  rollout: string;
  revision: string;
  origin?: string;
  outcome: CanaryRecord['outcome'];
  reason?: string;
  from: string;
  to: string;
  /** The templates the canary ran: their live verdict, and replayed on the same window (their current version). */
  actual: { templates: string; live: AnalysisPhase | 'none'; phase: AnalysisPhase | 'none'; message?: string };
  candidate: { phase: AnalysisPhase; decidedAt: string; message?: string };
  classification: Classification;
}

export interface ChangesReport {
  candidate: string;
  since: string;
  rows: ChangeRow[];
  promoted: number;
  falseAlarms: number;
  rolledBack: number;
  misses: number;
  skipped: { rollout: string; revision: string; why: string }[];
}

interface Listed {
  items: { metadata: { name: string; namespace: string }; spec?: AnalysisTemplateSpec; status?: { history?: CanaryRecord[] } }[];
}

async function clusterTemplates(kc: KubeConfig): Promise<TemplateSource> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const local = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'analysistemplates' })) as Listed;
  const cluster = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'clusteranalysistemplates' })) as Listed;
  const byKey = new Map(local.items.map((t) => [`${t.metadata.namespace}/${t.metadata.name}`, analysisTemplateSpecSchema.parse(t.spec)]));
  const byName = new Map(cluster.items.map((t) => [t.metadata.name, analysisTemplateSpecSchema.parse(t.spec)]));
  return { analysisTemplate: (ns, name) => byKey.get(`${ns}/${name}`), clusterAnalysisTemplate: (name) => byName.get(name) };
}

const RANK: Record<AnalysisPhase, number> = { Failed: 5, Error: 4, Inconclusive: 3, Running: 2, Pending: 2, Successful: 1 };
const worst = (phases: AnalysisPhase[]): AnalysisPhase => phases.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));

function classify(outcome: CanaryRecord['outcome'], candidate: AnalysisPhase, noData: boolean): Classification {
  if (noData) return 'no data';
  const wouldFail = candidate === 'Failed' || candidate === 'Error';
  if (outcome === 'Promoted') return wouldFail ? 'false alarm' : 'agrees';
  return wouldFail ? 'agrees' : 'miss';
}

export interface ChangesInput {
  kc: KubeConfig;
  namespace?: string;
  candidate: LoadedTemplate;
  args: { name: string; value: string }[];
  prometheusUrl: string;
  sinceMs: number;
  /** As the controller ran them (`--signal-discovery-grace`); the default otherwise. */
  signals?: SignalOptions;
  now?: Date;
  onRow?: (row: ChangeRow) => void;
}

export async function backtestChanges(input: ChangesInput, factory: ProviderFactory): Promise<ChangesReport> {
  const now = input.now ?? new Date();
  const api = input.kc.makeApiClient(CustomObjectsApi);
  const rollouts = (
    input.namespace
      ? await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: input.namespace, plural: 'rollouts' })
      : await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'rollouts' })
  ) as Listed;
  const templates = await clusterTemplates(input.kc);
  const rows: ChangeRow[] = [];
  const skipped: ChangesReport['skipped'] = [];
  for (const r of rollouts.items) {
    const name = `${r.metadata.namespace}/${r.metadata.name}`;
    for (const rec of r.status?.history ?? []) {
      if (Date.parse(rec.endedAt) < now.getTime() - input.sinceMs) continue;
      if (!rec.canaryStartedAt) {
        skipped.push({ rollout: name, revision: rec.revision, why: 'no canary start recorded' });
        continue;
      }
      // The analysis window, as it ran live; the whole canary when no analysis ran.
      const from = new Date(rec.analysisStartedAt ?? rec.canaryStartedAt);
      const to = new Date(rec.endedAt);
      if (to < from) {
        skipped.push({ rollout: name, revision: rec.revision, why: 'the canary ended before its analysis started' });
        continue;
      }
      const rollout = { name: r.metadata.name, namespace: r.metadata.namespace };
      // The candidate sees the args the canary ran with, overridden by --arg.
      const ranArgs = (rec.analyses ?? []).flatMap((a) => a.args ?? []);
      const args = [...ranArgs.filter((a) => !input.args.some((o) => o.name === a.name)), ...input.args];
      // A candidate that stands in for a template that ran starts where that analysis started.
      const replaced = (rec.analyses ?? []).find((a) => a.templates.some((t) => t.name === input.candidate.name));
      const candidate = await backtestWindow(
        {
          template: input.candidate,
          args,
          prometheusUrl: input.prometheusUrl,
          canary: rec.revision,
          ...(rec.stableRevision ? { stable: rec.stableRevision } : {}),
          rollout,
          from: replaced ? new Date(replaced.startedAt) : from,
          to,
          ...(replaced ? { mode: replaced.stepIndex === undefined ? 'background' : 'step' } : {}),
          now,
          requireData: false,
          ...(input.signals ? { signals: input.signals } : {}),
        },
        factory,
      );
      const actualStatuses: MetricStatus[] = [];
      const names: string[] = [];
      let actualMessage: string | undefined;
      const live: AnalysisPhase[] = [];
      for (const analysis of rec.analyses ?? []) {
        live.push(analysis.phase);
        const resolved = resolveAnalysis(templates, r.metadata.namespace, analysis);
        if (typeof resolved === 'string') {
          actualMessage = resolved;
          continue;
        }
        names.push(...resolved.templates);
        const replayed = await replayAnalysis({
          metrics: resolved.metrics,
          templates: resolved.templates,
          providers: factory,
          templating: { args: resolved.args, canaryRevision: rec.revision, ...(rec.stableRevision ? { stableRevision: rec.stableRevision } : {}), rollout },
          // Each analysis from its own run's start, step analyses as steps: as they ran live.
          from: new Date(analysis.startedAt),
          to,
          mode: analysis.stepIndex === undefined ? 'background' : 'step',
          ...(input.signals ? { signals: input.signals } : {}),
        });
        actualStatuses.push(...replayed.run.metrics);
      }
      const actual = actualStatuses.length > 0 ? aggregateRun(actualStatuses) : undefined;
      const row: ChangeRow = {
        rollout: name,
        revision: rec.revision,
        ...(rec.origin ? { origin: rec.origin } : {}),
        outcome: rec.outcome,
        ...(rec.reason ? { reason: rec.reason } : {}),
        from: from.toISOString(),
        to: to.toISOString(),
        actual: {
          templates: names.join('+') || '-',
          live: live.length > 0 ? worst(live) : 'none',
          phase: actual?.phase ?? 'none',
          ...((actual?.message ?? actualMessage) ? { message: actual?.message ?? actualMessage } : {}),
        },
        candidate: {
          phase: candidate.result.phase,
          decidedAt: candidate.result.decidedAt,
          ...(candidate.result.message ? { message: candidate.result.message } : {}),
        },
        classification: classify(rec.outcome, candidate.result.phase, candidate.result.withData === 0),
      };
      rows.push(row);
      input.onRow?.(row);
    }
  }
  const promoted = rows.filter((r) => r.outcome === 'Promoted' && r.classification !== 'no data');
  const rolledBack = rows.filter((r) => r.outcome === 'RolledBack' && r.classification !== 'no data');
  return {
    candidate: input.candidate.origin,
    since: new Date(now.getTime() - input.sinceMs).toISOString(),
    rows,
    promoted: promoted.length,
    falseAlarms: promoted.filter((r) => r.classification === 'false alarm').length,
    rolledBack: rolledBack.length,
    misses: rolledBack.filter((r) => r.classification === 'miss').length,
    skipped,
  };
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function formatChanges(report: ChangesReport): string {
  const cols = ['ROLLOUT', 'REVISION', 'ORIGIN', 'OUTCOME', 'USED', 'LIVE', 'REPLAYED', 'CANDIDATE', 'RESULT'];
  const cells = report.rows.map((r) => [
    r.rollout,
    r.revision,
    r.origin ?? '-',
    `${r.outcome}${r.reason && r.reason !== r.outcome ? ` (${r.reason})` : ''}`,
    r.actual.templates,
    r.actual.live,
    r.actual.phase,
    r.candidate.phase,
    r.classification,
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((v, i) => pad(v, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(cols), ...cells.map(line), ''];
  out.push(`Candidate ${report.candidate}, canaries ended since ${report.since}:`);
  out.push(`  false alarms: ${report.falseAlarms} of ${report.promoted} healthy promotions would have been rolled back`);
  out.push(`  misses: ${report.misses} of ${report.rolledBack} rolled-back changes would have been let through`);
  const noData = report.rows.filter((r) => r.classification === 'no data').length;
  if (noData > 0) out.push(`  no data: ${noData} window${noData === 1 ? '' : 's'} had no data for the candidate (counted in neither)`);
  for (const s of report.skipped) out.push(`  skipped ${s.rollout} ${s.revision}: ${s.why}`);
  out.push('  (escaped failures, promoted and reverted later, need the change ledger; only canary outcomes are compared here)');
  return `${out.join('\n')}\n`;
}
