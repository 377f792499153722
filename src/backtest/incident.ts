import { formatDuration } from '../analysis/index.js';
import type { ReplayResult } from './replay.js';

export type MissReason = 'condition never met' | 'inconclusive' | 'no data' | 'error';

export interface IncidentVerdict {
  caught: boolean;
  sentence: string;
  /** Signed: negative when the analysis failed before the incident began. */
  delayMs?: number;
  reason?: MissReason;
}

function signed(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${formatDuration(Math.abs(ms))}`;
}

/** Would the analysis have stopped a canary that became the incident at `incident`? */
export function judgeIncident(result: ReplayResult, incident: Date): IncidentVerdict {
  const at = `T = ${incident.toISOString()}`;
  if (result.phase === 'Failed') {
    const delayMs = Date.parse(result.decidedAt) - incident.getTime();
    const first = result.firstFailure
      ? ` (first failing measurement at ${result.firstFailure.at}: ${result.firstFailure.metric} = ${result.firstFailure.value ?? 'no value'})`
      : '';
    const before = delayMs < 0 ? ', before the incident began' : '';
    return { caught: true, delayMs, sentence: `would have failed at T${signed(delayMs)}${before}${first}; ${at}` };
  }
  let reason: MissReason;
  if (result.withData === 0) reason = 'no data';
  else if (result.phase === 'Inconclusive') reason = 'inconclusive';
  else if (result.phase === 'Error') reason = 'error';
  else reason = 'condition never met';
  const detail = result.message ? `: ${result.message}` : '';
  return { caught: false, reason, sentence: `would not have caught it (${reason}${detail}); ${at}` };
}
