// A live line per change of a Rollout's phase, step, weights or verdict.
import type { RolloutStatus } from '../../src/api/index.js';
import { c, say } from './output.js';

export class Timeline {
  private readonly started = Date.now();
  private last = '';

  /** `before` may print a line about the period that ends with this status (traffic served). */
  constructor(
    private readonly rollout: string,
    private readonly before?: (s: RolloutStatus) => string | undefined,
  ) {}

  line(s: RolloutStatus): string {
    const analysis = (s.analysisRuns ?? [])
      .filter((r) => r.phase !== 'Successful' || r.stepIndex === s.currentStepIndex)
      .map((r) => {
        const metrics = r.metrics.map((m) => `${m.name}=${m.measurements.at(-1)?.value ?? '…'}`).join(' ');
        return `${r.name}:${r.phase}${metrics ? ` [${metrics}]` : ''}`;
      })
      .join(' ');
    const phase = s.phase === 'Degraded' || s.phase === 'Blocked' ? c.red(s.phase) : s.phase === 'Healthy' ? c.green(s.phase) : c.yellow(s.phase ?? '?');
    return `${this.rollout} ${phase} step ${s.currentStepIndex ?? 0} canary ${s.weights?.canary ?? 0}% ${c.dim(s.reason ?? '')} ${analysis}`;
  }

  /** Polls until stopped, printing only when something a person would notice changed. */
  follow(read: () => Promise<RolloutStatus>): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          const s = await read();
          const text = this.line(s);
          const key = `${s.phase}|${s.currentStepIndex}|${s.weights?.canary}|${s.reason}|${(s.analysisRuns ?? []).map((r) => r.phase).join(',')}`;
          if (key !== this.last) {
            this.last = key;
            const note = this.before?.(s);
            if (note) say(`  ${c.dim(`${''.padStart(7)}  ${note}`)}`);
            say(`  ${c.dim(`+${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s`)}  ${text}`);
          }
        } catch {
          /* transient read errors are not news */
        }
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }
}
