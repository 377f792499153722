import { validateCondition } from './conditions.js';
import { parseDuration } from '../api/durations.js';
import { providerKind } from './providers/factory.js';
import { placeholders } from './templating.js';
import type { MetricSpec } from './types.js';

const KNOWN_PLACEHOLDER = /^(args\.[A-Za-z0-9_.-]+|rollout\.name|rollout\.namespace|canary\.revision|stable\.revision|revision)$/;

function checkDuration(problems: string[], field: string, value: string | undefined): void {
  if (value === undefined) return;
  try {
    parseDuration(value);
  } catch (e) {
    problems.push(`${field}: ${(e as Error).message}`);
  }
}

function checkTemplate(problems: string[], field: string, template: string): void {
  for (const p of placeholders(template)) {
    if (!KNOWN_PLACEHOLDER.test(p)) problems.push(`${field}: unknown placeholder {{${p}}}`);
  }
}

/**
 * Static problems of a metric spec, each prefixed with its field path; empty when
 * valid. For the webhook and for the controller before it starts a run (args are
 * resolved later, so only placeholder names are checked here).
 */
export function validateMetric(metric: MetricSpec): string[] {
  const problems: string[] = [];
  const at = (f: string): string => `metrics[${metric.name}].${f}`;
  checkDuration(problems, at('interval'), metric.interval);
  checkDuration(problems, at('initialDelay'), metric.initialDelay);
  if (metric.count !== undefined && (!Number.isInteger(metric.count) || metric.count < 0)) problems.push(`${at('count')}: must be a non-negative integer`);
  for (const f of ['successCondition', 'failureCondition'] as const) {
    const expr = metric[f];
    if (expr === undefined) continue;
    const err = validateCondition(expr);
    if (err) problems.push(`${at(f)}: ${err}`);
  }
  let kind;
  try {
    kind = providerKind(metric.provider);
  } catch (e) {
    problems.push(`${at('provider')}: ${(e as Error).message}`);
    return problems;
  }
  if (kind === 'prometheus' && metric.provider.prometheus) {
    const p = metric.provider.prometheus;
    checkTemplate(problems, at('provider.prometheus.query'), p.query);
    checkDuration(problems, at('provider.prometheus.timeout'), p.timeout);
    if (p.address !== undefined) {
      try {
        const u = new URL(p.address);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${at('provider.prometheus.address')}: must be http(s)`);
      } catch {
        problems.push(`${at('provider.prometheus.address')}: not a URL`);
      }
    }
  }
  if (kind === 'compare' && metric.provider.compare) {
    const c = metric.provider.compare;
    checkTemplate(problems, at('provider.compare.query'), c.query);
    if (!placeholders(c.query).includes('revision'))
      problems.push(`${at('provider.compare.query')}: must use {{revision}} so each side selects its own series`);
    checkDuration(problems, at('provider.compare.window'), c.window);
    checkDuration(problems, at('provider.compare.step'), c.step);
    if (c.pValue !== undefined && !(c.pValue > 0 && c.pValue < 1)) problems.push(`${at('provider.compare.pValue')}: must be in (0, 1)`);
    if (c.maxRatio !== undefined && !(c.maxRatio >= 1)) problems.push(`${at('provider.compare.maxRatio')}: must be >= 1`);
    if (metric.successCondition || metric.failureCondition)
      problems.push(`${at('provider.compare')}: a compare metric is judged by the test; successCondition/failureCondition do not apply`);
  }
  if (kind === 'signal' && metric.provider.signal?.query) checkTemplate(problems, at('provider.signal.query'), metric.provider.signal.query);
  return problems;
}
