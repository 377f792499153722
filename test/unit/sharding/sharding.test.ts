import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARD_LABEL } from '../../../src/api/labels.js';
import { shardLeaseName, shardNameProblem, shardOf, shardSelector } from '../../../src/api/sharding.js';
import { countShards, leaseVerdict } from '../../../src/doctor/checks/leader.js';

describe('shard names', () => {
  it('accepts label values and refuses the rest, naming the label and the rule', () => {
    for (const ok of ['a', 'shard-1', 'eu.west_2', 'x'.repeat(63)]) expect(shardNameProblem(ok)).toBeUndefined();
    for (const bad of ['', '-a', 'a-', 'a b', 'a/b', 'x'.repeat(64), 'ü']) {
      expect(shardNameProblem(bad)).toContain(SHARD_LABEL);
      expect(shardNameProblem(bad)).toContain('1-63 letters');
    }
  });

  it('selects the shard, or the unlabelled Rollouts without one', () => {
    expect(shardSelector('a')).toBe(`${SHARD_LABEL}=a`);
    expect(shardSelector(undefined)).toBe(`!${SHARD_LABEL}`);
  });

  it('gives every shard its own Lease, and the unsharded instance the plain one', () => {
    expect(shardLeaseName('clairvoyance', undefined)).toBe('clairvoyance');
    expect(shardLeaseName('clairvoyance', 'a')).toBe('clairvoyance-a');
    // Two shards never share a Lease, and none takes the unsharded one.
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/), (a, b) => {
        fc.pre(a !== b);
        expect(shardLeaseName('cv', a)).not.toBe(shardLeaseName('cv', b));
        expect(shardLeaseName('cv', a)).not.toBe(shardLeaseName('cv', undefined));
      }),
    );
  });

  it('reads a Rollout’s shard from its label', () => {
    expect(shardOf({ metadata: { labels: { [SHARD_LABEL]: 'b' } } })).toBe('b');
    expect(shardOf({ metadata: {} })).toBeUndefined();
  });
});

describe('the doctor’s Lease verdicts', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const lease = (holder: string | undefined, renewedSecondsAgo: number) => ({
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(now - renewedSecondsAgo * 1000) },
  });

  it('passes a held, fresh Lease and says which shard it leads', () => {
    const v = leaseVerdict('Lease cv/l-a', lease('pod-1', 2), { shard: 'a', rollouts: 3 }, now);
    expect(v.ok).toBe(true);
    expect(v.message).toContain('for shard a (3 Rollouts) held by pod-1');
  });

  it('fails a shard nobody leads, naming the Rollouts that stop and the flag that fixes it', () => {
    const missing = leaseVerdict('Lease cv/l-b', undefined, { shard: 'b', rollouts: 2 }, now);
    expect(missing.ok).toBe(false);
    expect(missing.message).toContain(`the 2 Rollout(s) labelled ${SHARD_LABEL}=b are not reconciled`);
    expect(missing.fix).toContain('--shard b');
    const expired = leaseVerdict('Lease cv/l-b', lease('pod-2', 60), { shard: 'b', rollouts: 2 }, now);
    expect(expired.ok).toBe(false);
    expect(expired.message).toContain('last renewed 60 s ago');
    const released = leaseVerdict('Lease cv/l', lease(undefined, 1), {}, now);
    expect(released.ok).toBe(false);
    expect(released.message).toContain('no Rollout is reconciled');
  });

  it('counts Rollouts per shard, ignoring the unlabelled ones', () => {
    const r = (shard?: string): { metadata: { labels: Record<string, string> } } => ({
      metadata: { labels: shard === undefined ? {} : { [SHARD_LABEL]: shard } },
    });
    expect([...countShards([r('b'), r('a'), r(), r('b')])]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
