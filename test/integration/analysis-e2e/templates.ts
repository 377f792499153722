// The AnalysisTemplates the end-to-end scenarios and the detection benchmark
// use, written as a platform team would: an observability gate (is the canary
// visible at all?), then the judgement (errors, latency against stable, an
// absolute latency ceiling). Intervals and windows are short so a scenario
// finishes in seconds against the stack's 1 s scrape.
import type { AnalysisTemplateSpecInput, MetricInput } from '../../../src/api/index.js';
import { createResource } from '../controller/fixtures.js';

export const TEMPLATE = {
  observability: 'observability',
  errorRate: 'error-rate',
  latency: 'latency',
} as const;

/** Both sides of every query are scoped to the Rollout's namespace: hashes may repeat across namespaces. */
const CANARY = 'namespace="{{rollout.namespace}}",revision="{{canary.revision}}"';

/**
 * 5xx ratio of the canary over 10 s. `or vector(0)`: a canary that has served
 * no 5xx yet has no `code=~"5.."` series at all, and an empty numerator would
 * make a healthy canary's ratio "no data" (inconclusive) instead of 0. A canary
 * with no traffic at all still yields no data: the denominator is empty.
 */
export const errorRateQuery = (window = '10s'): string =>
  `(sum(rate(http_requests_total{${CANARY},code=~"5.."}[${window}])) or vector(0))` + ` / sum(rate(http_requests_total{${CANARY}}[${window}]))`;
export const ERROR_RATE_QUERY = errorRateQuery();

export function errorRateMetric(overrides: Partial<MetricInput> = {}): MetricInput {
  return {
    name: 'error-rate',
    interval: '2s',
    count: 4,
    successCondition: 'result < 0.05',
    provider: { prometheus: { query: ERROR_RATE_QUERY } },
    ...overrides,
  };
}

const quantile = (q: number, selector: string, window: string): string =>
  `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${selector}}[${window}])))`;

/** Absolute ceiling: the canary's p95 stays under 250 ms (a 3x-slow 20 ms service still passes it). */
export const LATENCY_CEILING_SECONDS = 0.25;

export const latencyMetrics: MetricInput[] = [
  {
    name: 'latency-p95-ceiling',
    interval: '2s',
    count: 3,
    initialDelay: '4s',
    successCondition: `result < ${LATENCY_CEILING_SECONDS}`,
    provider: { prometheus: { query: quantile(0.95, CANARY, '10s') } },
  },
  // The judge: canary against stable over the same 20 s window, one point a
  // second. Fails only when the shift is significant and p50 is 1.5x stable.
  {
    name: 'latency-p50-vs-stable',
    interval: '2s',
    count: 3,
    initialDelay: '4s',
    provider: {
      compare: {
        query: quantile(0.5, 'namespace="{{rollout.namespace}}",revision="{{revision}}"', '5s'),
        against: 'stable',
        window: '20s',
        step: '1s',
        direction: 'increase',
        maxRatio: 1.5,
        pValue: 0.05,
      },
    },
  },
  {
    name: 'latency-p95-vs-stable',
    interval: '2s',
    count: 3,
    initialDelay: '4s',
    provider: {
      compare: {
        query: quantile(0.95, 'namespace="{{rollout.namespace}}",revision="{{revision}}"', '5s'),
        against: 'stable',
        window: '20s',
        step: '1s',
        direction: 'increase',
        maxRatio: 1.5,
        pValue: 0.05,
      },
    },
  },
];

/** "The canary is visible": scraped, and emits request, log and trace telemetry. */
export const observabilityMetrics: MetricInput[] = (['scraped', 'requests', 'logs', 'traces'] as const).map((kind) => ({
  name: kind,
  interval: '2s',
  count: 2,
  provider: { signal: { kind } },
}));

export const TEMPLATES: Record<string, AnalysisTemplateSpecInput> = {
  [TEMPLATE.observability]: { metrics: observabilityMetrics },
  [TEMPLATE.errorRate]: { metrics: [errorRateMetric()] },
  [TEMPLATE.latency]: { metrics: latencyMetrics },
};

export async function createTemplate(namespace: string, name: string, spec: AnalysisTemplateSpecInput): Promise<void> {
  await createResource(namespace, 'AnalysisTemplate', name, spec);
}

export async function createTemplates(namespace: string, templates: Record<string, AnalysisTemplateSpecInput> = TEMPLATES): Promise<void> {
  for (const [name, spec] of Object.entries(templates)) await createTemplate(namespace, name, spec);
}

/** An analysis step over the named templates. */
export function analysisStep(...templates: string[]): { analysis: { templates: { name: string }[] } } {
  return { analysis: { templates: templates.map((name) => ({ name })) } };
}
