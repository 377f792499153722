import { z } from 'zod';
import { ORIGINS } from './annotations.js';
import { durationSchema, objectNameSchema, resourceSchema, timestampSchema } from './common.js';

export const CHANGE_KIND = 'Change';

/** Changes count by origin; a change without clairvoyance.dev/origin is counted apart, never guessed. */
export const LEDGER_ORIGINS = [...ORIGINS, 'unannotated'] as const;
export const ledgerOriginSchema = z.enum(LEDGER_ORIGINS).describe('Who wrote the change: ai-generated, ai-assisted, human, or unannotated.');
export type LedgerOrigin = z.infer<typeof ledgerOriginSchema>;

/** Default stability window: promoted and neither reverted nor fixed for this long is stable. */
export const DEFAULT_STABILITY_WINDOW = '24h';

/** Timeline entries kept per Change: the first (where the cycle started) and the most recent ones. */
export const CHANGE_TIMELINE_LIMIT = 50;

export const changeSpecSchema = z.strictObject({
  rollout: objectNameSchema.describe('The Rollout the change goes through.'),
  workload: objectNameSchema.optional().describe('The Deployment the change was applied to.'),
  changeId: z.string().min(1).optional().describe('clairvoyance.dev/change-id of the change; absent when the change is keyed by its revision.'),
  revision: z.string().optional().describe('The pod-template hash, when the change is keyed by Rollout and revision.'),
  origin: ledgerOriginSchema.default('unannotated'),
  generator: z.string().optional().describe('Tool or model that generated the change (clairvoyance.dev/generator).'),
  commit: z.string().optional().describe('Source commit (clairvoyance.dev/commit).'),
  pullRequest: z.string().optional().describe('Pull request (clairvoyance.dev/pull-request).'),
  fixes: z.string().optional().describe('The change-id this change declares it fixes (clairvoyance.dev/fixes): an unplanned fix.'),
  stabilityWindow: durationSchema
    .default(DEFAULT_STABILITY_WINDOW)
    .describe("How long after promotion a revert or a declared fix still counts as this change's failure (from the Rollout)."),
});
export type ChangeSpec = z.infer<typeof changeSpecSchema>;
export type ChangeSpecInput = z.input<typeof changeSpecSchema>;

export const CHANGE_EVENT_TYPES = [
  'Authored',
  'Prompted',
  'Denied',
  'Admitted',
  'GateBlocked',
  'GatesPassed',
  'AnalysisVerdict',
  'RolledBack',
  'Promoted',
  'Abandoned',
  'Stable',
  'Reverted',
  'FixDeclared',
  'Restored',
  'Redeployed',
] as const;
export const changeEventTypeSchema = z.enum(CHANGE_EVENT_TYPES);
export type ChangeEventType = z.infer<typeof changeEventTypeSchema>;

export const changeEventSchema = z
  .strictObject({
    type: changeEventTypeSchema.describe(
      'Authored/Prompted: the start (annotations). Denied: refused at apply (never dry runs). Admitted: a revision tried (an attempt). ' +
        'GateBlocked, GatesPassed (the canary starts), AnalysisVerdict, RolledBack, Promoted, Abandoned (replaced before promotion), ' +
        'Stable (the window passed), Reverted and FixDeclared (an escaped failure), Restored, Redeployed (the revision came back after the change closed).',
    ),
    at: timestampSchema.describe('When it happened.'),
    revision: z.string().optional().describe('The revision concerned.'),
    reason: z.string().optional().describe('CamelCase reason, e.g. AnalysisFailed, or an analysis verdict.'),
    rules: z.array(z.string()).max(20).optional().describe('Rule ids that denied or blocked the change.'),
    message: z.string().max(1024).optional().describe('Details.'),
  })
  .describe('One thing that happened to the change.');
export type ChangeEvent = z.infer<typeof changeEventSchema>;

export const CHANGE_STATES = ['Applying', 'Denied', 'Gating', 'Blocked', 'Canary', 'RolledBack', 'Promoted', 'Stable', 'Failed', 'Abandoned'] as const;
export const changeStateSchema = z
  .enum(CHANGE_STATES)
  .describe(
    'Applying: started, nothing applied yet. Denied: the last apply was refused. Gating/Blocked: an admitted revision at its gates. ' +
      'Canary: in canary. RolledBack: the last attempt was rolled back (rework follows). Promoted: in production, inside its ' +
      'stability window. Stable: the window passed. Failed: an escaped failure (reverted or fixed inside the window). ' +
      'Abandoned: replaced before it was promoted.',
  );
export type ChangeState = z.infer<typeof changeStateSchema>;

const seconds = (what: string) => z.number().min(0).optional().describe(what);

export const changeFiguresSchema = z
  .strictObject({
    leadTimeSeconds: seconds('From the start to the promotion that proved stable; set once Stable.'),
    beforeAdmissionSeconds: seconds('From the start to the first admitted revision (denials included).'),
    gatesSeconds: seconds('Time admitted revisions spent at their gates (Gating or Blocked), summed over attempts.'),
    canarySeconds: seconds('Time in canary, summed over attempts.'),
    reworkSeconds: seconds('Time between a rolled-back attempt and the next admitted revision, summed.'),
    timeToRestoreSeconds: seconds('For an escaped failure: from its detection to the restoring revision becoming stable (promoted).'),
    downstreamSeconds: seconds('The part of the cycle after the change was first applied: gates, canary, rework and recovery.'),
  })
  .describe('Figures derived from the events, kept even when the timeline drops old entries.');
export type ChangeFigures = z.infer<typeof changeFiguresSchema>;

export const changeStatusSchema = z.strictObject({
  state: changeStateSchema.optional(),
  attempts: z.number().int().min(0).default(0).describe('Revisions admitted and tried (retries included).'),
  denials: z.number().int().min(0).default(0).describe('Applies refused by the admission webhook (dry runs never count).'),
  canaries: z.number().int().min(0).default(0).describe('Canaries started.'),
  canaryRollbacks: z.number().int().min(0).default(0).describe('Canaries rolled back.'),
  escapedFailures: z.number().int().min(0).max(1).default(0).describe('1 when the change failed after promotion (reverted or fixed within its window).'),
  startedAt: timestampSchema.optional().describe('Earliest of prompted-at, authored-at and the first event.'),
  firstAppliedAt: timestampSchema.optional().describe('First apply attempt, denied or admitted.'),
  admittedAt: timestampSchema.optional().describe('First admitted revision.'),
  promotedAt: timestampSchema.optional().describe('Last promotion.'),
  stableAt: timestampSchema.optional().describe('When the stability window after the last promotion passed.'),
  failedAt: timestampSchema.optional().describe('When the escaped failure was detected.'),
  failure: z
    .strictObject({
      kind: z.enum(['Reverted', 'FixDeclared']).describe('Reverted: the Rollout went back to an earlier revision. FixDeclared: a later change fixes it.'),
      by: z.string().optional().describe('The revision gone back to, or the change-id of the fix.'),
    })
    .optional()
    .describe('Why the change counts as an escaped failure.'),
  restoredAt: timestampSchema.optional().describe('When the restoring revision became stable (promoted) after an escaped failure.'),
  currentRevision: z.string().optional().describe('The revision of the last attempt.'),
  openSince: timestampSchema.optional().describe('Start of the stage in progress (gates, canary or rework), for the running sums.'),
  lastEventAt: timestampSchema.optional().describe('The latest event; retention counts from here.'),
  figures: changeFiguresSchema.prefault({}),
  timeline: z
    .array(changeEventSchema)
    .max(CHANGE_TIMELINE_LIMIT)
    .default([])
    .describe(`What happened, oldest first; at most ${CHANGE_TIMELINE_LIMIT}: the first entry and the most recent.`),
  timelineDropped: z.number().int().min(0).optional().describe('Entries dropped from the middle of the timeline.'),
});
export type ChangeStatus = z.infer<typeof changeStatusSchema>;

export const changeSchema = resourceSchema(CHANGE_KIND, changeSpecSchema, changeStatusSchema).describe(
  "One change's whole cycle, across attempts, from authored to stable: kept by the controller.",
);
export type Change = z.infer<typeof changeSchema>;
