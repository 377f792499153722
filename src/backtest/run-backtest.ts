// One backtest of one window: checks the inputs and the evidence, then replays.
import type { ProviderFactory } from '../analysis/index.js';
import { formatDuration, resolveArgs, type MetricSpec, type SignalOptions } from '../analysis/index.js';
import { judgeIncident, type IncidentVerdict } from './incident.js';
import { replayAnalysis, type ReplayResult } from './replay.js';
import { BacktestInputError, type LoadedTemplate } from './template-source.js';

export interface WindowInput {
  template: LoadedTemplate;
  args: { name: string; value: string }[];
  prometheusUrl: string;
  canary: string;
  stable?: string;
  baseline?: string;
  rollout?: { name: string; namespace: string };
  from: Date;
  to: Date;
  incident?: Date;
  mode?: 'background' | 'step';
  signals?: SignalOptions;
  now?: Date;
  /** A window with no data at all is an error (one backtest) or a row's verdict (--changes). */
  requireData?: boolean;
  onProgress?: (at: Date) => void;
}

export interface WindowOutcome {
  result: ReplayResult;
  metrics: MetricSpec[];
  incident?: IncidentVerdict;
}

async function retention(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('api/v1/status/runtimeinfo', url.endsWith('/') ? url : `${url}/`), { signal: AbortSignal.timeout(3_000) });
    const body = (await res.json()) as { data?: { storageRetention?: string } };
    return body.data?.storageRetention;
  } catch {
    return undefined;
  }
}

export async function backtestWindow(input: WindowInput, factory: ProviderFactory): Promise<WindowOutcome> {
  const now = input.now ?? new Date();
  // Equal bounds are one evaluation: an analysis that decided at its first measurement.
  if (input.from > input.to) throw new BacktestInputError(`--from (${input.from.toISOString()}) must not be after --to (${input.to.toISOString()})`);
  if (input.to.getTime() > now.getTime() + 1_000) throw new BacktestInputError(`--to (${input.to.toISOString()}) is in the future: there is no data there yet`);
  if (input.incident && (input.incident < input.from || input.incident > input.to)) {
    throw new BacktestInputError(`--incident (${input.incident.toISOString()}) lies outside --from..--to; widen the window to include it`);
  }
  const metrics: MetricSpec[] = input.template.spec.metrics;
  let args: Record<string, string>;
  try {
    args = resolveArgs(input.template.spec.args ?? [], input.args);
  } catch (err) {
    throw new BacktestInputError(`${input.template.origin}: ${err instanceof Error ? err.message : String(err)} (pass it with --arg NAME=VALUE)`);
  }
  const probe = factory.forMetric(metrics[0] ?? { name: 'probe', provider: { prometheus: { query: '1' } } });
  if (!(await probe.isOnline())) throw new BacktestInputError(`cannot reach Prometheus at ${input.prometheusUrl}: check --prometheus-url (or $PROMETHEUS_URL)`);

  const result = await replayAnalysis({
    metrics,
    templates: [input.template.name],
    providers: factory,
    templating: {
      args,
      canaryRevision: input.canary,
      ...(input.stable ? { stableRevision: input.stable } : {}),
      ...(input.rollout ? { rollout: input.rollout } : {}),
    },
    from: input.from,
    to: input.to,
    ...(input.mode ? { mode: input.mode } : {}),
    ...(input.signals ? { signals: input.signals } : {}),
    ...(input.baseline ? { baselineRevision: input.baseline } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  if (input.requireData !== false && result.timeline.length > 0 && result.withData === 0) {
    const kept = await retention(input.prometheusUrl);
    throw new BacktestInputError(
      `Prometheus at ${input.prometheusUrl} holds no data for ${input.template.origin} between ${input.from.toISOString()} and ${input.to.toISOString()} ` +
        `(${result.timeline.length} measurements, all empty)${kept ? `; it keeps ${kept} of history, so older windows are gone` : ''}. ` +
        `Check the window, the revisions (--canary ${input.canary}) and the args; a backtest never turns missing data into a pass.`,
    );
  }
  const out: WindowOutcome = { result, metrics };
  if (input.incident) out.incident = judgeIncident(result, input.incident);
  return out;
}

export function describeWindow(from: Date, to: Date): string {
  return `${from.toISOString()} .. ${to.toISOString()} (${formatDuration(to.getTime() - from.getTime())})`;
}
