import type { ObservabilityRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { appContainers, templateAnnotations } from '../workload.js';

export const METRICS_PORT_NAME = 'metrics';
export const SCRAPE_ANNOTATION = 'prometheus.io/scrape';

/** Telemetry wiring: the revision can be scraped, traced and judged ready. */
export function checkObservability(rule: ObservabilityRule, ctx: RuleContext): Violation[] {
  const containers = appContainers(ctx.object);
  const out: Violation[] = [];
  if (rule.metrics === true) {
    const namedPort = containers.some((c) => (c.ports ?? []).some((p) => p.name === METRICS_PORT_NAME));
    const scraped = templateAnnotations(ctx.object)[SCRAPE_ANNOTATION] === 'true';
    if (!namedPort && !scraped) {
      out.push({
        message: `no metrics wiring: no container port named "${METRICS_PORT_NAME}" and no ${SCRAPE_ANNOTATION}: "true" on the pod template`,
        fix: `name the metrics port "${METRICS_PORT_NAME}" or annotate the pod template with ${SCRAPE_ANNOTATION}: "true"`,
      });
    }
  }
  const required = rule.otelEnv ?? [];
  for (const c of containers) {
    const names = new Set((c.env ?? []).map((e) => e.name));
    const missing = required.filter((n) => !names.has(n));
    if (missing.length > 0) {
      out.push({
        message: `container ${c.name} does not set ${missing.join(', ')}`,
        fix: `add env ${missing.join(', ')} to container ${c.name}`,
      });
    }
  }
  if (rule.readinessProbe === true) {
    for (const c of containers.filter((c) => c.readinessProbe === undefined)) {
      out.push({ message: `container ${c.name} has no readiness probe`, fix: `add a readinessProbe to container ${c.name}` });
    }
  }
  return out;
}
