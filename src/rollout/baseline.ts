// The baseline: pods of the stable template started beside the canary, at the canary's
// size and age, so `compare.against: baseline` judges like against like (Kayenta's
// design) instead of a fresh canary against long-warm stable pods. Its pods carry their
// own revision label value, so queries select them apart from stable.
const SUFFIX = '-baseline';

/** The revision label value of the baseline started from `stable`. */
export function baselineRevision(stable: string): string {
  return `${stable}${SUFFIX}`;
}

/** The stable revision a baseline revision was started from, or undefined for any other revision. */
export function baselineOf(revision: string): string | undefined {
  return revision.endsWith(SUFFIX) ? revision.slice(0, -SUFFIX.length) : undefined;
}
