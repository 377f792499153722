import { describe, expect, it } from 'vitest';
import { StoreFlagDriver } from '../../../src/flags/flag-driver.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { FlagSourceError } from '../../../src/flags/store.js';
import { MemoryFlagStore, MemoryStores, offFlag, spec, withFlag } from './memory-stores.js';

const rollout = { name: 'checkout', namespace: 'shop', uid: 'u1' };

function setup(flags = { 'new-checkout': offFlag() }) {
  const store = new MemoryFlagStore(structuredClone(flags));
  const stores = new MemoryStores(store);
  return { store, stores, driver: new StoreFlagDriver(stores) };
}

describe('StoreFlagDriver', () => {
  it('writes fractional targeting once per distinct percent', async () => {
    const { store, stores, driver } = setup();
    const target = { rollout, spec: withFlag() };
    await driver.setPercent(target, 10);
    await driver.setPercent(target, 10);
    expect(store.writes).toBe(1);
    expect(store.flags['new-checkout']).toEqual({ ...offFlag(), targeting: fractionalTargeting('on', 'off', 10) });
    await driver.setPercent(target, 50);
    expect(store.writes).toBe(2);
    expect(stores.requested[0]).toEqual({ namespace: 'shop', source: { configMap: { name: 'flags', key: 'flags.flagd.json' } } });
  });

  it('writes nothing once the signal is aborted (the lease was lost after the read)', async () => {
    const { store, driver } = setup();
    const lost = new AbortController();
    lost.abort(new Error('lease lost'));
    const target = { rollout, spec: withFlag(), signal: lost.signal };
    await expect(driver.setPercent(target, 10)).rejects.toThrow('lease lost');
    await expect(driver.kill(target)).rejects.toThrow('lease lost');
    await expect(driver.promote(target)).rejects.toThrow('lease lost');
    expect(store.writes).toBe(0);
  });

  it('kill: default off, no targeting; idempotent', async () => {
    const { store, driver } = setup({ 'new-checkout': { ...offFlag(), defaultVariant: 'on', targeting: fractionalTargeting('on', 'off', 50) } });
    const target = { rollout, spec: withFlag() };
    await driver.kill(target);
    await driver.kill(target);
    expect(store.flags['new-checkout']).toEqual(offFlag());
    expect(store.writes).toBe(1);
  });

  it('promote: default on, no targeting; idempotent', async () => {
    const { store, driver } = setup({ 'new-checkout': { ...offFlag(), targeting: fractionalTargeting('on', 'off', 50) } });
    await driver.promote({ rollout, spec: withFlag() });
    await driver.promote({ rollout, spec: withFlag() });
    expect(store.flags['new-checkout']).toEqual({ ...offFlag(), defaultVariant: 'on' });
    expect(store.writes).toBe(1);
  });

  it('percent 0 is the off state without targeting', async () => {
    const { store, driver } = setup({ 'new-checkout': { ...offFlag(), targeting: fractionalTargeting('on', 'off', 20) } });
    await driver.setPercent({ rollout, spec: withFlag() }, 0);
    expect(store.flags['new-checkout']).toEqual(offFlag());
  });

  it('honors custom variants and a key override', async () => {
    const flag = { state: 'ENABLED' as const, variants: { legacy: 'v1', shiny: 'v2' }, defaultVariant: 'legacy' };
    const { store, driver } = setup({ other: flag } as never);
    const target = { rollout, spec: withFlag({ offVariant: 'legacy', onVariant: 'shiny' }), flagKey: 'other' };
    await driver.setPercent(target, 25);
    expect(store.flags.other?.targeting).toEqual(fractionalTargeting('shiny', 'legacy', 25));
    await driver.promote(target);
    expect(store.flags.other?.defaultVariant).toBe('shiny');
  });

  it('refuses to switch to a variant the flag does not have', async () => {
    const { store, driver } = setup({ 'new-checkout': { state: 'ENABLED', variants: { off: false }, defaultVariant: 'off' } });
    await expect(driver.setPercent({ rollout, spec: withFlag() }, 10)).rejects.toThrow(/no variant "on"/);
    await expect(driver.promote({ rollout, spec: withFlag() })).rejects.toBeInstanceOf(FlagSourceError);
    await driver.kill({ rollout, spec: withFlag() });
    expect(store.writes).toBe(0);
  });

  it('fails on a missing flag and on bad percentages', async () => {
    const { driver } = setup({} as never);
    await expect(driver.kill({ rollout, spec: withFlag() })).rejects.toMatchObject({ reason: 'FlagNotFound' });
    await expect(driver.setPercent({ rollout, spec: withFlag() }, 101)).rejects.toThrow(RangeError);
  });

  it('without spec.flag: kill and promote do nothing, setPercent fails', async () => {
    const { stores, driver } = setup();
    await driver.kill({ rollout, spec: spec() });
    await driver.promote({ rollout, spec: spec() });
    await expect(driver.setPercent({ rollout, spec: spec() }, 10)).rejects.toThrow(/no spec.flag/);
    expect(stores.requested).toEqual([]);
  });
});
