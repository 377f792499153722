// What a stand-in revision does: how often it fails, how slow it is, and which
// telemetry it emits. Tests change it at run time through POST /control, so the
// same process can be healthy first and start failing later (detection latency).
import { z } from 'zod';

export const TELEMETRY_FAMILIES = ['requests', 'logs', 'traces'] as const;
export type TelemetryFamily = (typeof TELEMETRY_FAMILIES)[number];

export interface Behaviour {
  /** Fraction of requests answered with a 5xx, 0..1. */
  errorRate: number;
  /** Median latency of a request in milliseconds (lognormal around it). */
  latencyMs: number;
  /** Lognormal sigma (spread of log latency); 0 makes every request take the median. */
  latencySigma: number;
  /** Which telemetry families are exported on /metrics. */
  telemetry: Record<TelemetryFamily, boolean>;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  errorRate: 0,
  latencyMs: 20,
  latencySigma: 0.25,
  telemetry: { requests: true, logs: true, traces: true },
};

const telemetryPatch = z.union([
  z.strictObject({ requests: z.boolean().optional(), logs: z.boolean().optional(), traces: z.boolean().optional() }),
  // A list names the families to keep; `[]` means "emit no telemetry".
  z.array(z.enum(TELEMETRY_FAMILIES)),
  z.boolean(),
]);

export const behaviourPatchSchema = z.strictObject({
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().min(0).max(60_000).optional(),
  latencySigma: z.number().min(0).max(3).optional(),
  telemetry: telemetryPatch.optional(),
});
export type BehaviourPatch = z.infer<typeof behaviourPatchSchema>;

function patchTelemetry(current: Behaviour['telemetry'], patch: z.infer<typeof telemetryPatch>): Behaviour['telemetry'] {
  if (typeof patch === 'boolean') return { requests: patch, logs: patch, traces: patch };
  if (Array.isArray(patch)) return { requests: patch.includes('requests'), logs: patch.includes('logs'), traces: patch.includes('traces') };
  return { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
}

export function applyPatch(current: Behaviour, patch: BehaviourPatch): Behaviour {
  return {
    errorRate: patch.errorRate ?? current.errorRate,
    latencyMs: patch.latencyMs ?? current.latencyMs,
    latencySigma: patch.latencySigma ?? current.latencySigma,
    telemetry: patch.telemetry === undefined ? { ...current.telemetry } : patchTelemetry(current.telemetry, patch.telemetry),
  };
}

/** Parses `--telemetry requests,logs` / `none` / `all`. */
export function parseTelemetryList(value: string): Behaviour['telemetry'] {
  const v = value.trim();
  if (v === 'all') return { requests: true, logs: true, traces: true };
  if (v === 'none' || v === '') return { requests: false, logs: false, traces: false };
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(TELEMETRY_FAMILIES as readonly string[]).includes(n))
      throw new Error(`unknown telemetry family "${n}" (expected ${TELEMETRY_FAMILIES.join(', ')}, all or none)`);
  }
  return { requests: names.includes('requests'), logs: names.includes('logs'), traces: names.includes('traces') };
}
