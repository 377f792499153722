import { canaryStepKind, type CanaryStep, type CanaryStepKind } from '../api/index.js';

/** The canary weight in effect at step `index`: the last setWeight at or before it; 100 past the last step. */
export function weightAt(steps: readonly CanaryStep[], index: number): number {
  if (index >= steps.length) return 100;
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

export function stepKindAt(steps: readonly CanaryStep[], index: number): CanaryStepKind | undefined {
  const step = steps[index];
  return step ? canaryStepKind(step) : undefined;
}

export function stepRunName(index: number): string {
  return `step-${index}`;
}

export const BACKGROUND_RUN = 'background';
