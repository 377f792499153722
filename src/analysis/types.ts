/**
 * Plain input/output shapes of the analysis engine, inferred from the API's zod schemas
 * (src/api), so an API object is passed in as it is, without a cast. The specs are the
 * schemas' input types: a field the API defaults may be absent, and the engine applies
 * the same defaults itself (see `defaults.ts`), so it works on both parsed and raw specs.
 * Run and measurement statuses are the API's status types.
 */
import type { z } from 'zod';
import type {
  AnalysisPhase,
  AnalysisRunStatus,
  CompareProvider,
  compareProviderSchema,
  HttpHeader,
  Measurement,
  metricProviderSchema,
  MetricResult,
  metricSchema,
  PrometheusAuthentication,
  prometheusProviderSchema,
  SIGNAL_KINDS,
  SignalProvider,
  TemplateArg,
} from '../api/index.js';

export type { AnalysisPhase, AnalysisRunStatus, PrometheusAuthentication, TemplateArg };

/** A Go-style duration string such as `30s`, `1m30s`, `500ms`. */
export type DurationString = string;

export type NameValue = HttpHeader;

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

/**
 * Reads the Secrets a metric's `authentication` names, in `namespace`. Throws a
 * ProviderError of kind `config` naming the field when a Secret cannot be read.
 */
export interface CredentialSource {
  resolve(namespace: string, auth: PrometheusAuthentication, signal?: AbortSignal): Promise<Credentials>;
}

export type PrometheusProviderSpec = z.input<typeof prometheusProviderSchema>;

/** A compare provider as written: `against`, `step`, `direction`, `pValue` and `critical` may be absent (defaults.ts). */
export type CompareProviderSpec = z.input<typeof compareProviderSchema>;

/** A compare provider with the API's defaults applied. */
export type EffectiveCompare = CompareProvider;

/** Which change is harmful: `increase` for latency/errors, `decrease` for throughput. */
export type CompareDirection = CompareProvider['direction'];

export type SignalKind = (typeof SIGNAL_KINDS)[number];

export type SignalProviderSpec = SignalProvider;

/** Exactly one provider is set (enforced by the API schema). */
export type MetricProviderSpec = z.input<typeof metricProviderSchema>;

export type MetricSpec = z.input<typeof metricSchema>;

/** The phases a single measurement can take. */
export type MeasurementPhase = Exclude<AnalysisPhase, 'Pending' | 'Running'>;

/** One measurement in status; its phase is written as a MeasurementPhase. */
export type MeasurementStatus = Measurement;

export type MetricStatus = MetricResult;

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
