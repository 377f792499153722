import { resolveArgs } from './templating.js';
import type { MetricSpec, TemplateArg } from './types.js';

// The API's template and analysis shapes, as far as the engine reads them (api/ validates
// them; the engine only reads them).
export interface TemplateSpecLike {
  metrics: readonly MetricSpec[];
  args?: readonly TemplateArg[];
}

export interface AnalysisRefs {
  templates: readonly { name: string; clusterScope?: boolean }[];
  args?: readonly TemplateArg[];
}

export interface TemplateSource {
  analysisTemplate(namespace: string, name: string): TemplateSpecLike | undefined;
  clusterAnalysisTemplate(name: string): TemplateSpecLike | undefined;
}

export interface ResolvedAnalysis {
  templates: string[];
  metrics: MetricSpec[];
  args: Record<string, string>;
  /** Where each metric comes from (`AnalysisTemplate error-rate`), by metric name, for messages. */
  templateOf: Record<string, string>;
  /** Metrics of ClusterAnalysisTemplates, by name: their Secrets live in the controller's namespace. */
  clusterScoped: Record<string, boolean>;
}

/**
 * The metrics and args an analysis runs, or a message naming what is missing. One
 * resolution for the live controller and for backtests, so both judge the same metrics.
 */
export function resolveAnalysis(templates: TemplateSource, namespace: string, analysis: AnalysisRefs): ResolvedAnalysis | string {
  const metrics: MetricSpec[] = [];
  const declared: { name: string; value?: string }[] = [];
  const names: string[] = [];
  const templateOf: Record<string, string> = {};
  const clusterScoped: Record<string, boolean> = {};
  for (const ref of analysis.templates) {
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const spec = ref.clusterScope ? templates.clusterAnalysisTemplate(ref.name) : templates.analysisTemplate(namespace, ref.name);
    if (!spec) return `${kind} ${ref.name} not found`;
    names.push(ref.name);
    for (const m of spec.metrics) {
      templateOf[m.name] = `${kind} ${ref.name}`;
      clusterScoped[m.name] = ref.clusterScope === true;
    }
    metrics.push(...spec.metrics);
    declared.push(...(spec.args ?? []));
  }
  try {
    return { templates: names, metrics, args: resolveArgs(declared, analysis.args ?? []), templateOf, clusterScoped };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
