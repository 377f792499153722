/**
 * Plain input/output shapes of the analysis engine.
 *
 * These mirror the API (zod) types structurally so the API objects can be passed
 * in as-is, without this module depending on `src/api`. Optional fields here are
 * the ones the API may default; the engine applies the same defaults itself
 * (see `defaults.ts`), so it works on both parsed and raw specs.
 */

/** A Go-style duration string such as `30s`, `1m30s`, `500ms`. */
export type DurationString = string;

export interface NameValue {
  name: string;
  value: string;
}

/**
 * The API names Secrets (`bearerTokenSecretRef`, `basicAuthSecretRef`); the
 * controller reads them and hands the engine resolved `Credentials`, so the
 * engine never talks to the Kubernetes API.
 */
export interface PrometheusAuthentication {
  bearerTokenSecretRef?: { name: string; key: string };
  basicAuthSecretRef?: { name: string };
}

/** Credentials resolved from the Secrets a template references. */
export interface Credentials {
  bearerToken?: string;
  basic?: { username: string; password: string };
}

/**
 * Reads the Secrets a metric's `authentication` names, in `namespace`. Throws a
 * ProviderError of kind `config` naming the field when a Secret cannot be read.
 */
export interface CredentialSource {
  resolve(namespace: string, auth: PrometheusAuthentication, signal?: AbortSignal): Promise<Credentials>;
}

export interface PrometheusProviderSpec {
  /** Base URL; when absent the controller's default (`--prometheus-url`) is used. */
  address?: string;
  query: string;
  timeout?: DurationString;
  insecureSkipVerify?: boolean;
  headers?: NameValue[];
  authentication?: PrometheusAuthentication;
}

export type CompareDirection = 'increase' | 'decrease' | 'either';

export interface CompareProviderSpec {
  /** PromQL with a `{{revision}}` placeholder, evaluated once per side. */
  query: string;
  against: 'stable' | 'baseline';
  window: DurationString;
  step: DurationString;
  /** Which change is harmful: `increase` for latency/errors, `decrease` for throughput. */
  direction: CompareDirection;
  /** Largest tolerated canary/stable ratio of medians (its inverse for `decrease`). */
  maxRatio?: number;
  /** Significance level of the Mann-Whitney test; default 0.05. */
  pValue?: number;
  /**
   * Default true: a significant regression fails the metric at once, whatever its
   * failureLimit. false: it is only inconclusive (pauses, never fails).
   */
  critical?: boolean;
}

export type SignalKind = 'scraped' | 'requests' | 'logs' | 'traces' | 'flagEvaluations';

export interface SignalProviderSpec {
  kind: SignalKind;
  /** Overrides the generated PromQL; may use the usual placeholders. */
  query?: string;
}

/** Exactly one provider is set (enforced by the API schema). */
export interface MetricProviderSpec {
  prometheus?: PrometheusProviderSpec;
  compare?: CompareProviderSpec;
  signal?: SignalProviderSpec;
}

export interface MetricSpec {
  name: string;
  interval?: DurationString;
  count?: number;
  initialDelay?: DurationString;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  successCondition?: string;
  failureCondition?: string;
  provider: MetricProviderSpec;
}

export interface TemplateArg {
  name: string;
  value?: string;
}

export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The phases a single measurement can take. */
export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface MeasurementStatus {
  /** Written as a MeasurementPhase; typed wide so status read back from the API fits. */
  phase: AnalysisPhase;
  value?: string;
  startedAt: string;
  finishedAt?: string;
  message?: string;
}

export interface MetricStatus {
  name: string;
  phase: AnalysisPhase;
  /** Measurements that produced a verdict: successful + failed + inconclusive. */
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveErrors: number;
  message?: string;
  /** The most recent measurements, oldest first, at most `MEASUREMENT_HISTORY_LIMIT`. */
  measurements: MeasurementStatus[];
}

export interface AnalysisRunStatus {
  name: string;
  templates: string[];
  stepIndex?: number;
  phase: AnalysisPhase;
  startedAt: string;
  message?: string;
  metrics: MetricStatus[];
}

/** The outcome of one measurement, before it is folded into the metric status. */
export interface MeasurementResult {
  phase: MeasurementPhase;
  value?: string;
  message?: string;
  /** A failure that fails the metric at once (a critical compare metric). */
  critical?: boolean;
  /**
   * Recorded in history but not counted: evidence that is expected to be missing
   * yet (a signal whose target Prometheus has not discovered during the grace period).
   */
  provisional?: boolean;
  /** A configuration error no retry can fix (an unusable provider): the metric is Error at once. */
  fatal?: boolean;
}
