// Which Change a revision belongs to: its change-id when annotated, else its Rollout and revision.
import { createHash } from 'node:crypto';

const MAX_NAME = 63;

/** A DNS-label-safe name for a change-id: readable prefix plus a hash, so distinct ids never collide. */
export function changeNameForId(changeId: string): string {
  const hash = createHash('sha256').update(changeId).digest('hex').slice(0, 8);
  const slug = changeId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return slug ? `${slug}-${hash}` : `change-${hash}`;
}

/** The Change of an unkeyed revision: `<rollout>-<revision>`, shortened with a hash when too long. */
export function changeNameForRevision(rollout: string, revision: string): string {
  const name = `${rollout}-${revision}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${rollout.slice(0, MAX_NAME - revision.length - hash.length - 2).replace(/[-.]+$/, '')}-${hash}-${revision}`;
}

export function changeNameFor(key: { changeId?: string | undefined; rollout: string; revision: string }): string {
  return key.changeId ? changeNameForId(key.changeId) : changeNameForRevision(key.rollout, key.revision);
}
