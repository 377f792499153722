import type { AnalysisTemplateSpec, RolloutAnalysis } from '../api/index.js';
import { resolveArgs } from './templating.js';
import type { MetricSpec } from './types.js';

export interface TemplateSource {
  analysisTemplate(namespace: string, name: string): AnalysisTemplateSpec | undefined;
  clusterAnalysisTemplate(name: string): AnalysisTemplateSpec | undefined;
}

export interface ResolvedAnalysis {
  templates: string[];
  metrics: MetricSpec[];
  args: Record<string, string>;
  /** Where each metric comes from (`AnalysisTemplate error-rate`), by metric name, for messages. */
  templateOf: Record<string, string>;
}

/**
 * The metrics and args an analysis runs, or a message naming what is missing. One
 * resolution for the live controller and for backtests, so both judge the same metrics.
 */
export function resolveAnalysis(templates: TemplateSource, namespace: string, analysis: RolloutAnalysis): ResolvedAnalysis | string {
  const metrics: MetricSpec[] = [];
  const declared: { name: string; value?: string }[] = [];
  const names: string[] = [];
  const templateOf: Record<string, string> = {};
  for (const ref of analysis.templates) {
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const spec = ref.clusterScope ? templates.clusterAnalysisTemplate(ref.name) : templates.analysisTemplate(namespace, ref.name);
    if (!spec) return `${kind} ${ref.name} not found`;
    names.push(ref.name);
    for (const m of spec.metrics) templateOf[m.name] = `${kind} ${ref.name}`;
    metrics.push(...(spec.metrics as MetricSpec[]));
    declared.push(...(spec.args ?? []));
  }
  try {
    return { templates: names, metrics, args: resolveArgs(declared, analysis.args ?? []), templateOf };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
