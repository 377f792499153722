import { z } from 'zod';
import { originSchema } from './annotations.js';
import {
  argumentSchema,
  conditionSchema,
  dnsLabelSchema,
  durationSchema,
  intOrPercentSchema,
  listMap,
  objectNameSchema,
  resourceSchema,
  timestampSchema,
} from './common.js';
import { atMostOneOf, exactlyOneOf, whichOf } from './one-of.js';
import { withCelRules } from './cel-rules.js';
import { findingSchema } from './finding.js';
import { DEFAULT_STABILITY_WINDOW } from './change.js';

export const ROLLOUT_KIND = 'Rollout';

// ---------------------------------------------------------------- spec

export const workloadRefSchema = z
  .strictObject({
    apiVersion: z.enum(['apps/v1']).default('apps/v1').describe('API version of the workload. Only apps/v1.'),
    kind: z.enum(['Deployment']).describe('Kind of the workload. Only Deployment.'),
    name: objectNameSchema.describe("Name of the Deployment in the Rollout's namespace."),
    scaleDown: z
      .enum(['never', 'onsuccess', 'progressively'])
      .default('onsuccess')
      .describe(
        "When the Deployment's own pods hand over to the Rollout's: onsuccess (default) scales the Deployment to " +
          "zero once the Rollout's stable pods are all ready; progressively scales it down as they become ready; " +
          "never leaves its replicas to you. The Deployment never drops below what the Rollout's ready pods cover.",
      ),
  })
  .describe(
    'The Deployment holding the desired pod template. The controller adopts it: it runs one ReplicaSet per ' +
      'revision and, once they serve (scaleDown), keeps the Deployment itself at zero replicas. Services keep selecting the same pods.',
  );
export type WorkloadRef = z.infer<typeof workloadRefSchema>;

export const analysisTemplateRefSchema = z.strictObject({
  name: objectNameSchema.describe('Name of the AnalysisTemplate (or ClusterAnalysisTemplate when clusterScope).'),
  clusterScope: z.boolean().default(false).describe("Refer to a ClusterAnalysisTemplate instead of an AnalysisTemplate in the Rollout's namespace."),
});
export type AnalysisTemplateRef = z.infer<typeof analysisTemplateRefSchema>;

/** Templates plus argument values; used by analysis steps and background analysis. */
export const rolloutAnalysisSchema = z.strictObject({
  templates: listMap(
    z.array(analysisTemplateRefSchema).min(1).max(10).describe('Templates whose metrics run together; the analysis fails when any metric fails.'),
    'name',
    'clusterScope',
  ),
  args: listMap(z.array(argumentSchema).max(50).optional().describe("Values for the templates' declared args, referenced as {{args.NAME}}."), 'name'),
});
export type RolloutAnalysis = z.infer<typeof rolloutAnalysisSchema>;

export const pauseStepSchema = z.strictObject({
  duration: durationSchema.optional().describe('How long to pause. Without a duration the rollout waits for `clairvoyance promote`.'),
});
export type PauseStep = z.infer<typeof pauseStepSchema>;

export const setFlagStepSchema = z.strictObject({
  percent: z.number().int().min(0).max(100).describe('Share of flag evaluations (0-100) that get spec.flag.onVariant; the rest stay on offVariant.'),
});
export type SetFlagStep = z.infer<typeof setFlagStepSchema>;

export const setCanaryScaleStepSchema = exactlyOneOf(
  z
    .strictObject({
      replicas: z.number().int().min(0).optional().describe('Run exactly this many canary pods.'),
      percent: z.number().int().min(0).max(100).optional().describe('Run this percentage of spec.replicas as canary pods (rounded up).'),
      matchTrafficWeight: z
        .literal(true)
        .optional()
        .describe("Go back to the default: the canary's pods follow its traffic weight (spec.replicas x weight, rounded up)."),
    })
    .describe('How many canary pods run, apart from the traffic weight (traffic.gatewayAPI only).'),
  ['replicas', 'percent', 'matchTrafficWeight'],
  'setCanaryScale',
);
export type SetCanaryScaleStep = z.infer<typeof setCanaryScaleStepSchema>;

export const headerMatchSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$/, { message: 'must be an HTTP header name (RFC 7230 token)' })
    .describe('HTTP header name, matched case-insensitively.'),
  value: z.string().min(1).max(4096).describe('Value to match.'),
  type: z.enum(['Exact', 'RegularExpression']).default('Exact').describe('Exact (Gateway API core) or RegularExpression (implementation-specific dialect).'),
});
export type HeaderMatch = z.infer<typeof headerMatchSchema>;

export const setHeaderRouteStepSchema = z.strictObject({
  name: dnsLabelSchema.max(40).describe('Names the header route; a later setHeaderRoute with the same name replaces it, and with no headers removes it.'),
  headers: z
    .array(headerMatchSchema)
    .max(16)
    .default([])
    .describe(
      'Requests carrying all of these headers go to the canary only, whatever its weight. Removed at promotion and rollback. ' +
        'Empty: remove the header route of this name.',
    ),
});
export type SetHeaderRouteStep = z.infer<typeof setHeaderRouteStepSchema>;

export const CANARY_STEP_KINDS = ['setWeight', 'pause', 'analysis', 'setFlag', 'setCanaryScale', 'setHeaderRoute'] as const;
export type CanaryStepKind = (typeof CANARY_STEP_KINDS)[number];

export const canaryStepSchema = exactlyOneOf(
  z
    .strictObject({
      setWeight: z
        .number()
        .int()
        .min(0)
        .max(100)
        .optional()
        .describe(
          'Send this percentage (0-100) of traffic to the canary. With traffic.replicas the canary ReplicaSet is scaled to match; ' +
            'with traffic.gatewayAPI the route weights move once the canary pods are ready.',
        ),
      pause: pauseStepSchema.optional().describe('Hold the current weight, for a duration or (without one) until promoted.'),
      analysis: rolloutAnalysisSchema.optional().describe('Run analysis templates and wait for the verdict; failure rolls back, inconclusive pauses.'),
      setFlag: setFlagStepSchema.optional().describe('Turn the feature flag (spec.flag) on for a percentage.'),
      setCanaryScale: setCanaryScaleStepSchema
        .optional()
        .describe('Decide the number of canary pods apart from the weight (traffic.gatewayAPI only); holds until the next setCanaryScale.'),
      setHeaderRoute: setHeaderRouteStepSchema
        .optional()
        .describe('Send requests that carry given headers to the canary only, before any weight (traffic.gatewayAPI only).'),
    })
    .describe('One canary step: exactly one of setWeight, pause, analysis, setFlag, setCanaryScale or setHeaderRoute.'),
  CANARY_STEP_KINDS,
  'step',
);
export type CanaryStep = z.infer<typeof canaryStepSchema>;
export type CanaryStepInput = z.input<typeof canaryStepSchema>;

/** The kind of a step, for switch statements over a validated step. */
export function canaryStepKind(step: CanaryStep): CanaryStepKind | undefined {
  return whichOf(step, CANARY_STEP_KINDS);
}

export const httpRouteRefSchema = z.strictObject({
  name: objectNameSchema.describe("Name of an HTTPRoute (gateway.networking.k8s.io/v1) in the Rollout's namespace."),
});

const DISTINCT_SERVICES = 'gatewayAPI: stableService and canaryService must be different Services';
export const gatewayAPITrafficSchema = withCelRules(
  z
    .strictObject({
      httpRoutes: listMap(
        z
          .array(httpRouteRefSchema)
          .min(1)
          .max(10)
          .describe(
            'HTTPRoutes whose rules send traffic to the app. In every rule whose backendRefs name the service, stableService or ' +
              'canaryService, the controller sets the stable and canary backends and their weights (spec.rules is an atomic list: ' +
              'the controller owns it by server-side apply; parentRefs, hostnames and the rest stay yours).',
          ),
        'name',
      ),
      service: objectNameSchema.describe("The app's Service: the stable and canary Services copy its ports and selector, plus the revision label."),
      stableService: objectNameSchema
        .optional()
        .describe('Service that selects the stable revision (default <service>-stable). Created when missing; only its selector is changed.'),
      canaryService: objectNameSchema
        .optional()
        .describe('Service that selects the canary revision (default <service>-canary). Created when missing; only its selector is changed.'),
    })
    .refine((v) => (v.stableService ?? `${v.service}-stable`) !== (v.canaryService ?? `${v.service}-canary`), { message: DISTINCT_SERVICES }),
  {
    rule: "(has(self.stableService) ? self.stableService : self.service + '-stable') != (has(self.canaryService) ? self.canaryService : self.service + '-canary')",
    message: DISTINCT_SERVICES,
  },
);

export function stableServiceName(t: { service: string; stableService?: string | undefined }): string {
  return t.stableService ?? `${t.service}-stable`;
}

export function canaryServiceName(t: { service: string; canaryService?: string | undefined }): string {
  return t.canaryService ?? `${t.service}-canary`;
}
export type GatewayAPITraffic = z.infer<typeof gatewayAPITrafficSchema>;

export const trafficSchema = atMostOneOf(
  z.strictObject({
    replicas: z.strictObject({}).optional().describe("Weight is the canary's share of ready replicas behind the existing Service (the default)."),
    gatewayAPI: gatewayAPITrafficSchema
      .optional()
      .describe(
        'Weight set exactly through Gateway API HTTPRoute backend weights between a stable and a canary Service, independent ' +
          'of pod counts; header routes send chosen requests to the canary. A weight counts once the Gateway accepted the route.',
      ),
  }),
  ['replicas', 'gatewayAPI'],
  'traffic',
);
export type Traffic = z.infer<typeof trafficSchema>;

export const canaryStrategySchema = z.strictObject({
  steps: z
    .array(canaryStepSchema)
    .max(100)
    .default([])
    .describe(
      'Steps run in order once the change passes its gates. After the last step the canary is promoted. ' +
        'No steps: promote as soon as the gates pass and the canary is ready.',
    ),
  maxSurge: intOrPercentSchema.default('25%').describe('Extra pods allowed above spec.replicas while scaling (number or percentage).'),
  maxUnavailable: intOrPercentSchema.default(0).describe('Pods allowed to be unavailable while scaling (number or percentage).'),
  traffic: trafficSchema.prefault({ replicas: {} }).describe('How the canary weight is applied. Defaults to replica ratio behind the existing Service.'),
  baseline: z
    .boolean()
    .default(false)
    .describe(
      "Start a baseline beside the canary: pods of the stable template at the canary's size, started with it and labelled " +
        'clairvoyance.dev/revision=<stable>-baseline, taking their share from stable. Required by compare.against: baseline; ' +
        'scaled away when the canary ends.',
    ),
});
export type CanaryStrategy = z.infer<typeof canaryStrategySchema>;

export const rolloutStrategySchema = z.strictObject({
  canary: canaryStrategySchema.describe('Progressive canary: shift weight step by step, judged by analysis.'),
});
export type RolloutStrategy = z.infer<typeof rolloutStrategySchema>;

export const policyRefSchema = z.strictObject({
  kind: z.enum(['ContextPolicy', 'ClusterContextPolicy']).describe('Kind of the policy.'),
  name: objectNameSchema.describe("Name of the policy (ContextPolicy: in the Rollout's namespace)."),
});
export type PolicyRef = z.infer<typeof policyRefSchema>;

export const rolloutGatesSchema = z.strictObject({
  policies: z.array(policyRefSchema).max(50).optional().describe('Policies applied in addition to those whose match selects this workload.'),
  requireFlagFor: z
    .array(originSchema)
    .optional()
    .describe('Change origins (e.g. ai-generated) that must sit behind spec.flag; such a change is Blocked without one.'),
});
export type RolloutGates = z.infer<typeof rolloutGatesSchema>;

export const flagSourceSchema = exactlyOneOf(
  z.strictObject({
    configMap: z
      .strictObject({
        name: objectNameSchema.describe("ConfigMap in the Rollout's namespace holding flagd flag definitions."),
        key: z.string().min(1).default('flags.flagd.json').describe('Data key holding the flagd JSON.'),
      })
      .optional()
      .describe('A flagd flag definition file kept in a ConfigMap.'),
    featureFlag: z
      .strictObject({
        name: objectNameSchema.describe("OpenFeature Operator FeatureFlag in the Rollout's namespace."),
      })
      .optional()
      .describe('An OpenFeature Operator FeatureFlag resource (core.openfeature.dev).'),
  }),
  ['configMap', 'featureFlag'],
  'flag source',
);
export type FlagSource = z.infer<typeof flagSourceSchema>;

export const rolloutFlagSchema = z
  .strictObject({
    key: z.string().min(1).describe('Flag key as evaluated by the application.'),
    source: flagSourceSchema.describe('Where the flag is defined: exactly one of configMap or featureFlag.'),
    offVariant: z.string().min(1).default('off').describe('Variant that disables the new code path (kill switch).'),
    onVariant: z.string().min(1).default('on').describe('Variant that enables the new code path.'),
    onPromotion: z.enum(['On', 'Leave']).default('On').describe('On: make onVariant the default when the canary is promoted. Leave: keep the flag as it is.'),
  })
  .describe(
    'The OpenFeature/flagd flag guarding the new code path. Must default to offVariant before the canary ' +
      'starts; on failure it is set back to offVariant first.',
  );
export type RolloutFlag = z.infer<typeof rolloutFlagSchema>;

export const rollbackPolicySchema = z.strictObject({
  automatic: z
    .boolean()
    .default(true)
    .describe(
      'Roll back automatically when analysis fails or the progress deadline passes. false: freeze instead (phase ' +
        'Paused, the failure as reason, the canary held where it is, the flag killed unless killFlagWhenFrozen is ' +
        'false) until an operator runs `clairvoyance abort` (roll back) or `clairvoyance retry` (run the revision again).',
    ),
  killFlagWhenFrozen: z
    .boolean()
    .default(true)
    .describe('With automatic: false, turn the flag to offVariant when a failure freezes the canary (the pods stay).'),
  scaleDownDelaySeconds: z.number().int().min(0).default(30).describe('Seconds to keep the previous ReplicaSet scaled up after promotion or rollback.'),
  window: durationSchema
    .optional()
    .describe(
      'Fast rollback: a revision that was the stable one less than this long ago (e.g. after `clairvoyance undo`) goes back without ' +
        "the canary steps and analysis, checked only by the policies' Enforce rules (not the flag gate). Absent: every revision runs the steps.",
    ),
});
export type RollbackPolicy = z.infer<typeof rollbackPolicySchema>;

export const rolloutSpecSchema = z.strictObject({
  replicas: z.number().int().min(0).default(1).describe('Desired pod count (the scale subresource; HPA targets this).'),
  workloadRef: workloadRefSchema,
  strategy: rolloutStrategySchema.describe('How a new revision is rolled out.'),
  analysis: rolloutAnalysisSchema.optional().describe('Background analysis that runs across all steps of the canary; failure rolls back.'),
  gates: rolloutGatesSchema.optional().describe('Extra gates applied before the canary starts.'),
  flag: rolloutFlagSchema.optional(),
  progressDeadlineSeconds: z
    .number()
    .int()
    .min(1)
    .default(600)
    .describe('Seconds a step may make no progress (e.g. pods not ready) before the rollout is Degraded.'),
  rollback: rollbackPolicySchema.prefault({}).describe('What happens when a canary fails.'),
  stabilityWindow: durationSchema
    .default(DEFAULT_STABILITY_WINDOW)
    .describe(
      'How long a promoted change must stay (not reverted to an earlier revision, no later change declaring clairvoyance.dev/fixes for it) ' +
        'before its Change counts as Stable; a revert or declared fix inside the window makes it an escaped failure.',
    ),
});
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;
/** The spec as written by a user, before defaults. */
export type RolloutSpecInput = z.input<typeof rolloutSpecSchema>;

// ---------------------------------------------------------------- status

export const ROLLOUT_PHASES = ['Gating', 'Progressing', 'Paused', 'Healthy', 'Degraded', 'Blocked'] as const;
export const rolloutPhaseSchema = z
  .enum(ROLLOUT_PHASES)
  .describe(
    'Gating: checking a new revision against policies. Progressing: running canary steps. Paused: waiting ' +
      '(pause step, inconclusive analysis or operator). Healthy: stable revision serves all traffic, no canary in flight ' +
      '(whether its pods are ready is the Available condition: kubectl wait --for=condition=Available). Degraded: ' +
      'canary failed and was rolled back. Blocked: a gate denied the change.',
  );
export type RolloutPhase = z.infer<typeof rolloutPhaseSchema>;

export const OPERATOR_ACTIONS = ['Promote', 'PromoteFull', 'Abort', 'Retry'] as const;
export const operatorActionSchema = z.strictObject({
  action: z
    .enum(OPERATOR_ACTIONS)
    .describe('Promote: finish the current pause/step. PromoteFull: skip remaining steps. Abort: roll back. Retry: restart a Degraded or Blocked revision.'),
  requestedAt: timestampSchema.describe('When the action was requested.'),
  requestedBy: z.string().optional().describe('Who requested it (user name).'),
  message: z.string().optional().describe('Why it was requested.'),
});
export type OperatorAction = z.infer<typeof operatorActionSchema>;

export const ANALYSIS_PHASES = ['Pending', 'Running', 'Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export const analysisPhaseSchema = z.enum(ANALYSIS_PHASES);
export type AnalysisPhase = z.infer<typeof analysisPhaseSchema>;

/** Measurements kept per metric in status; older ones are dropped. */
export const MAX_MEASUREMENTS = 10;

export const measurementSchema = z.strictObject({
  phase: analysisPhaseSchema.describe('Verdict of this measurement.'),
  value: z.string().optional().describe('Measured value, formatted (absent when the query returned nothing).'),
  startedAt: timestampSchema.describe('When the measurement started.'),
  finishedAt: timestampSchema.optional().describe('When the measurement finished.'),
  message: z.string().optional().describe('Details, e.g. an error or why the result was inconclusive.'),
});
export type Measurement = z.infer<typeof measurementSchema>;

export const metricResultSchema = z.strictObject({
  name: z.string().describe('Metric name from the template.'),
  phase: analysisPhaseSchema.describe('Verdict of the metric so far.'),
  count: z.number().int().min(0).describe('Measurements taken.'),
  successful: z.number().int().min(0).describe('Successful measurements.'),
  failed: z.number().int().min(0).describe('Failed measurements.'),
  inconclusive: z.number().int().min(0).describe('Inconclusive measurements.'),
  error: z.number().int().min(0).describe('Measurements that errored.'),
  consecutiveErrors: z.number().int().min(0).describe('Errors in a row, reset by a successful measurement.'),
  message: z.string().optional().describe('Details about the verdict.'),
  measurements: z.array(measurementSchema).max(MAX_MEASUREMENTS).default([]).describe(`The most recent measurements (at most ${MAX_MEASUREMENTS}).`),
});
export type MetricResult = z.infer<typeof metricResultSchema>;

export const analysisRunStatusSchema = z.strictObject({
  name: z.string().describe('Identifier of the run, unique within the Rollout.'),
  templates: z.array(z.string()).describe('Templates the run evaluates.'),
  stepIndex: z.number().int().min(0).optional().describe('Step that started the run; absent for background analysis.'),
  phase: analysisPhaseSchema.describe('Overall verdict of the run.'),
  startedAt: timestampSchema.describe('When the run started.'),
  message: z.string().optional().describe('Details about the verdict.'),
  metrics: z.array(metricResultSchema).default([]).describe('Per-metric results.'),
});
export type AnalysisRunStatus = z.infer<typeof analysisRunStatusSchema>;

export const provenanceSchema = z
  .strictObject({
    origin: originSchema.optional(),
    generator: z.string().optional().describe('Tool or model that generated the change.'),
    changeId: z.string().optional().describe('Identifier of the change.'),
    commit: z.string().optional().describe('Source commit.'),
    pullRequest: z.string().optional().describe('Pull request URL or number.'),
    reviewedBy: z.string().optional().describe('Who reviewed the change.'),
    flag: z.string().optional().describe('Flag key the change claims to sit behind.'),
    authoredAt: z.string().optional().describe('When the change was authored, as annotated (RFC 3339).'),
    promptedAt: z.string().optional().describe('When the change was asked for (prompted), as annotated (RFC 3339); the earliest start.'),
    fixes: z.string().optional().describe('The change-id this change declares it fixes.'),
  })
  .describe('Provenance of the canary revision, copied from clairvoyance.dev/* pod-template annotations.');
export type Provenance = z.infer<typeof provenanceSchema>;

export const cycleSchema = z
  .strictObject({
    authoredAt: timestampSchema.optional().describe('When the change was authored (from provenance).'),
    admittedAt: timestampSchema.optional().describe('When the API server admitted the change.'),
    gatedAt: timestampSchema.optional().describe('When the change passed its gates.'),
    canaryStartedAt: timestampSchema.optional().describe('When the canary began: its gates passed and its first pods were asked for.'),
    promotedAt: timestampSchema.optional().describe('When the canary became stable.'),
    rolledBackAt: timestampSchema.optional().describe('When the canary was rolled back.'),
  })
  .describe("Timestamps of the current revision's path from authored to stable, for cycle-time metrics.");
export type Cycle = z.infer<typeof cycleSchema>;

/** How many ended canaries status keeps: enough to backtest recent releases, small enough for etcd. */
export const CANARY_HISTORY_LIMIT = 20;

export const canaryRecordSchema = z
  .strictObject({
    revision: z.string().describe('The canary revision.'),
    stableRevision: z.string().optional().describe('The stable revision it ran beside (compare against stable).'),
    canaryStartedAt: timestampSchema.optional().describe('When the canary began (its gates passed).'),
    analysisStartedAt: timestampSchema.optional().describe('When its first analysis run started (the window a backtest replays starts here).'),
    endedAt: timestampSchema.describe('When it was promoted or rolled back.'),
    outcome: z.enum(['Promoted', 'RolledBack']).describe('Promoted to stable, or rolled back.'),
    reason: z.string().optional().describe('Why it ended, e.g. Promoted, AnalysisFailed, Aborted, ProgressDeadlineExceeded.'),
    origin: z.string().optional().describe('The change origin from provenance (ai-generated, ai-assisted, human).'),
    analyses: z
      .array(
        z.strictObject({
          ...rolloutAnalysisSchema.shape,
          stepIndex: z.number().int().min(0).optional().describe('The analysis step; absent for background analysis.'),
          startedAt: timestampSchema.describe('When the run started.'),
          phase: analysisPhaseSchema.describe('The verdict it reached live.'),
        }),
      )
      .optional()
      .describe('The analyses that ran (templates, args, start and live verdict), replayed by `clairvoyance backtest --changes`.'),
  })
  .describe('One ended canary: its window and outcome.');
export type CanaryRecord = z.infer<typeof canaryRecordSchema>;

export const rolloutStatusSchema = z.strictObject({
  phase: rolloutPhaseSchema.optional(),
  reason: z.string().optional().describe('CamelCase reason for the phase, e.g. AnalysisFailed, GateBlocked, Promoted (all of them: docs/api.md).'),
  message: z.string().optional().describe('Human-readable explanation of the phase.'),
  observedGeneration: z.number().int().min(0).optional().describe('The .metadata.generation last acted on.'),
  replicas: z.number().int().min(0).optional().describe('Pods of the stable and canary ReplicaSets, as last observed (scale subresource).'),
  readyReplicas: z.number().int().min(0).optional().describe('Ready pods of the stable and canary ReplicaSets, as last observed.'),
  updatedReplicas: z.number().int().min(0).optional().describe('Ready pods of the canary revision (the newest template).'),
  selector: z.string().optional().describe('Label selector of the pods, as a string (scale subresource, HPA).'),
  stableRevision: z.string().optional().describe('Pod-template hash of the stable revision.'),
  canaryRevision: z.string().optional().describe('Pod-template hash of the newest revision (equal to stableRevision once promoted).'),
  baselineRevision: z
    .string()
    .optional()
    .describe('Revision label of the baseline pods while a canary runs with strategy.canary.baseline (<stable>-baseline); absent otherwise.'),
  currentStepIndex: z.number().int().min(0).optional().describe('Index of the canary step being run.'),
  stepStartedAt: timestampSchema.optional().describe('When the current step started.'),
  pauseStartedAt: timestampSchema.optional().describe('When the current pause started.'),
  weights: z
    .strictObject({
      canary: z.number().int().min(0).max(100).describe('Percentage of traffic on the canary.'),
      stable: z.number().int().min(0).max(100).describe('Percentage of traffic on the stable revision.'),
    })
    .optional()
    .describe('Traffic split currently applied.'),
  operatorAction: operatorActionSchema.optional().describe('Pending request from an operator (CLI, via the status subresource); cleared once handled.'),
  findings: z.array(findingSchema).optional().describe('Gate findings for the canary revision.'),
  analysisRuns: z.array(analysisRunStatusSchema).optional().describe('Analysis runs of the canary revision.'),
  conditions: listMap(z.array(conditionSchema).optional().describe('Standard conditions.'), 'type'),
  provenance: provenanceSchema.optional(),
  cycle: cycleSchema.optional(),
  fastRollback: z
    .boolean()
    .optional()
    .describe('True while the canary revision restores a revision stable within rollback.window: its steps and analysis are skipped.'),
  changes: z
    .strictObject({
      canary: objectNameSchema.optional().describe('The Change the canary revision belongs to.'),
      stable: objectNameSchema.optional().describe('The Change the stable revision belongs to.'),
    })
    .optional()
    .describe('Names of the Change resources (the ledger) of the canary and stable revisions.'),
  adopted: z
    .boolean()
    .optional()
    .describe(
      "True once the Deployment's own pods handed over to the Rollout's ReplicaSets (workloadRef.scaleDown); until then the webhook leaves its replicas alone.",
    ),
  history: z
    .array(canaryRecordSchema)
    .max(CANARY_HISTORY_LIMIT)
    .optional()
    .describe(`The last ${CANARY_HISTORY_LIMIT} ended canaries, oldest first: each window and outcome, replayed by \`clairvoyance backtest --changes\`.`),
});
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;

export const rolloutSchema = resourceSchema(ROLLOUT_KIND, rolloutSpecSchema, rolloutStatusSchema).describe(
  'A Rollout walks each new revision of a Deployment through gates and a canary, judged by analysis.',
);
export type Rollout = z.infer<typeof rolloutSchema>;
export type RolloutInput = z.input<typeof rolloutSchema>;
