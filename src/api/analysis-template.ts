import { z } from 'zod';
import { dnsLabelSchema, durationSchema, listMap, objectNameSchema, specOnlyResourceSchema } from './common.js';
import { atMostOneOf, exactlyOneOf, whichOf } from './one-of.js';

export const ANALYSIS_TEMPLATE_KIND = 'AnalysisTemplate';
export const CLUSTER_ANALYSIS_TEMPLATE_KIND = 'ClusterAnalysisTemplate';

export const templateArgSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: 'must start with a letter or _ and contain letters, digits, _ or -' })
    .describe('Argument name, referenced in queries and conditions as {{args.NAME}}.'),
  value: z.string().optional().describe('Default value. Without one, every Rollout using the template must supply the argument.'),
});
export type TemplateArg = z.infer<typeof templateArgSchema>;

export const secretKeyRefSchema = z.strictObject({
  name: objectNameSchema.describe("Secret name (in the controller's namespace for cluster-scoped templates)."),
  key: z.string().min(1).describe('Key within the Secret.'),
});
export type SecretKeyRef = z.infer<typeof secretKeyRefSchema>;

export const prometheusAuthenticationSchema = atMostOneOf(
  z.strictObject({
    bearerTokenSecretRef: secretKeyRefSchema.optional().describe('Bearer token read from a Secret key.'),
    basicAuthSecretRef: z
      .strictObject({
        name: objectNameSchema.describe('Secret of type kubernetes.io/basic-auth (keys username, password).'),
      })
      .optional()
      .describe('HTTP basic auth read from a Secret.'),
  }),
  ['bearerTokenSecretRef', 'basicAuthSecretRef'],
  'authentication',
);
export type PrometheusAuthentication = z.infer<typeof prometheusAuthenticationSchema>;

export const httpHeaderSchema = z.strictObject({
  name: z.string().min(1).describe('Header name.'),
  value: z.string().describe('Header value.'),
});
export type HttpHeader = z.infer<typeof httpHeaderSchema>;

export const prometheusProviderSchema = z.strictObject({
  address: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
    .optional()
    .describe("Prometheus base URL, e.g. http://prometheus.monitoring:9090. Defaults to the controller's setting."),
  query: z
    .string()
    .min(1)
    .describe(
      'PromQL instant query. Placeholders: {{args.NAME}}, {{rollout.name}}, {{rollout.namespace}}, ' +
        '{{canary.revision}}, {{stable.revision}}. The result is `result` in the conditions.',
    ),
  timeout: durationSchema.optional().describe("Query timeout (default: the controller's setting)."),
  insecureSkipVerify: z.boolean().optional().describe('Skip TLS verification. For test environments only.'),
  headers: listMap(z.array(httpHeaderSchema).optional().describe('Extra HTTP headers sent with each query.'), 'name'),
  authentication: prometheusAuthenticationSchema.optional().describe('Credentials for Prometheus.'),
});
export type PrometheusProvider = z.infer<typeof prometheusProviderSchema>;

export const compareProviderSchema = z.strictObject({
  query: z
    .string()
    .min(1)
    .describe(
      "PromQL range query evaluated once per revision; {{revision}} is replaced by the canary's and then the " +
        "other side's pod-template hash. Other placeholders as for prometheus.",
    ),
  against: z
    .enum(['stable', 'baseline'])
    .default('stable')
    .describe('Compare the canary with the stable revision or with a baseline (stable pods started with the canary).'),
  window: durationSchema.describe('Range both samples cover, e.g. 5m.'),
  step: durationSchema.default('30s').describe('Resolution of the range query.'),
  direction: z
    .enum(['increase', 'decrease', 'either'])
    .default('increase')
    .describe('Which change is bad: increase (e.g. latency, errors), decrease (e.g. throughput) or either.'),
  maxRatio: z.number().gt(0).optional().describe('Effect-size bound: fail only if canary/other (median) also exceeds this ratio, e.g. 1.2.'),
  pValue: z.number().gt(0).lt(1).default(0.05).describe('Significance level of the Mann-Whitney U test.'),
  critical: z.boolean().default(true).describe('A significant regression fails the metric (true) or only makes it inconclusive (false).'),
});
export type CompareProvider = z.infer<typeof compareProviderSchema>;

export const SIGNAL_KINDS = ['scraped', 'requests', 'logs', 'traces', 'flagEvaluations'] as const;
export const signalProviderSchema = z.strictObject({
  kind: z
    .enum(SIGNAL_KINDS)
    .describe(
      'scraped: Prometheus scrapes the canary. requests/logs/traces: the canary emits that telemetry. ' + 'flagEvaluations: the canary evaluates spec.flag.',
    ),
  query: z.string().min(1).optional().describe('Override the built-in PromQL for this signal.'),
});
export type SignalProvider = z.infer<typeof signalProviderSchema>;

export const METRIC_PROVIDER_KINDS = ['prometheus', 'compare', 'signal'] as const;
export type MetricProviderKind = (typeof METRIC_PROVIDER_KINDS)[number];

export const metricProviderSchema = exactlyOneOf(
  z
    .strictObject({
      prometheus: prometheusProviderSchema.optional().describe('A PromQL query judged by the CEL conditions.'),
      compare: compareProviderSchema.optional().describe('Statistical comparison of canary against stable/baseline (Mann-Whitney U with effect size).'),
      signal: signalProviderSchema.optional().describe('A built-in observability signal check.'),
    })
    .describe('Where measurements come from: exactly one of prometheus, compare or signal.'),
  METRIC_PROVIDER_KINDS,
  'provider',
);
export type MetricProvider = z.infer<typeof metricProviderSchema>;

export function metricProviderKind(provider: MetricProvider): MetricProviderKind | undefined {
  return whichOf(provider, METRIC_PROVIDER_KINDS);
}

export const metricSchema = z.strictObject({
  name: dnsLabelSchema.describe('Metric name, unique within the template.'),
  interval: durationSchema.default('30s').describe('Time between measurements.'),
  count: z.number().int().min(1).optional().describe('Measurements to take. Without it, a step analysis takes one; background analysis runs until the end.'),
  initialDelay: durationSchema.optional().describe('Wait this long before the first measurement.'),
  failureLimit: z.number().int().min(0).default(0).describe('Failed measurements tolerated before the metric fails.'),
  inconclusiveLimit: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Inconclusive measurements tolerated before the metric is inconclusive (pausing the rollout).'),
  consecutiveErrorLimit: z.number().int().min(0).default(4).describe('Errors in a row (e.g. Prometheus unreachable) tolerated before the metric errors.'),
  successCondition: z
    .string()
    .min(1)
    .optional()
    .describe('CEL over `result` (number, or list of numbers for a vector); true means success, e.g. result < 0.01.'),
  failureCondition: z
    .string()
    .min(1)
    .optional()
    .describe('CEL over `result`; true means failure. Neither condition true: inconclusive. Missing data is inconclusive.'),
  provider: metricProviderSchema,
});
export type Metric = z.infer<typeof metricSchema>;
/** A metric as written, before defaults. */
export type MetricInput = z.input<typeof metricSchema>;

export const analysisTemplateSpecSchema = z.strictObject({
  args: listMap(z.array(templateArgSchema).max(50).optional().describe('Arguments the template takes, referenced as {{args.NAME}}.'), 'name'),
  metrics: listMap(z.array(metricSchema).min(1).max(50).describe('Metrics measured together; any failing metric fails the analysis.'), 'name'),
});
export type AnalysisTemplateSpec = z.infer<typeof analysisTemplateSpecSchema>;
export type AnalysisTemplateSpecInput = z.input<typeof analysisTemplateSpecSchema>;

export const analysisTemplateSchema = specOnlyResourceSchema(ANALYSIS_TEMPLATE_KIND, analysisTemplateSpecSchema).describe(
  'Metrics that judge a canary, referenced by Rollouts in the same namespace.',
);
export type AnalysisTemplate = z.infer<typeof analysisTemplateSchema>;
export type AnalysisTemplateInput = z.input<typeof analysisTemplateSchema>;

export const clusterAnalysisTemplateSchema = specOnlyResourceSchema(CLUSTER_ANALYSIS_TEMPLATE_KIND, analysisTemplateSpecSchema).describe(
  'Metrics that judge a canary, usable by Rollouts in every namespace (clusterScope: true).',
);
export type ClusterAnalysisTemplate = z.infer<typeof clusterAnalysisTemplateSchema>;
