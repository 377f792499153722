// Stand-in processes for tests: the launcher lives with the stand-in (the demo
// uses it too); this adds per-file cleanup.
import { afterAll } from 'vitest';
import { startStandIn, type StandInProcess, type StandInSpec } from '../../dev/stand-in/launcher.js';

export { startStandIn, type StandInProcess, type StandInSpec };

/**
 * Stand-ins owned by a test file: every one started through `start` is stopped
 * and deregistered after the file's tests, even when a test failed midway.
 * Call at the top level of the file.
 */
export function useStandIns(): { start(spec: StandInSpec): Promise<StandInProcess>; stopAll(): Promise<void> } {
  const started: StandInProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  afterAll(stopAll);
  return {
    async start(spec) {
      const s = await startStandIn(spec);
      started.push(s);
      return s;
    },
    stopAll,
  };
}
