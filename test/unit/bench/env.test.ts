import { afterEach, describe, expect, it, vi } from 'vitest';
import { envChoice, envChoices, envInteger, envIntegers, envNumber } from '../../bench/support/env.js';

afterEach(() => vi.unstubAllEnvs());

describe('benchmark settings from the environment', () => {
  it('falls back to the default when the variable is unset', () => {
    vi.stubEnv('BENCH_X', undefined);
    expect(envIntegers('BENCH_X', '1000,5000', '200')).toEqual([1000, 5000]);
    expect(envInteger('BENCH_X', 7)).toBe(7);
    expect(envNumber('BENCH_X', 0.5)).toBe(0.5);
    expect(envChoice('BENCH_X', 'vegeta', ['vegeta', 'hey'], 'the load generator')).toBe('vegeta');
    expect(envChoices('BENCH_X', 'floor,kyverno', ['floor', 'kyverno', 'clairvoyance'])).toEqual(['floor', 'kyverno']);
  });

  it('reads a valid value', () => {
    vi.stubEnv('BENCH_X', '200,1000');
    expect(envIntegers('BENCH_X', '5', '5')).toEqual([200, 1000]);
    vi.stubEnv('BENCH_X', '12');
    expect(envInteger('BENCH_X', 1)).toBe(12);
    vi.stubEnv('BENCH_X', '2.5');
    expect(envNumber('BENCH_X', 1)).toBe(2.5);
    vi.stubEnv('BENCH_X', 'hey');
    expect(envChoice('BENCH_X', 'vegeta', ['vegeta', 'hey'], 'the load generator')).toBe('hey');
  });

  it.each([['10k'], ['0'], ['-5'], ['1.5'], [','], ['200,,x']])('rejects BENCH_X=%s as a list of positive integers, naming the variable', (raw) => {
    vi.stubEnv('BENCH_X', raw);
    expect(() => envIntegers('BENCH_X', '1', '200,1000')).toThrow(`BENCH_X=${raw}: expected positive integers separated by commas, e.g. BENCH_X=200,1000`);
  });

  it('rejects a list, a fraction or a word where one integer is expected', () => {
    for (const raw of ['1,2', '1.5', 'many', '0']) {
      vi.stubEnv('BENCH_X', raw);
      expect(() => envInteger('BENCH_X', 1000)).toThrow(`BENCH_X=${raw}: expected one positive integer, e.g. BENCH_X=1000`);
    }
  });

  it('rejects a number that is not positive and finite', () => {
    for (const raw of ['-1', '0', 'Infinity', 'soon']) {
      vi.stubEnv('BENCH_X', raw);
      expect(() => envNumber('BENCH_X', 30)).toThrow(`BENCH_X=${raw}: expected a positive number, e.g. BENCH_X=30`);
    }
  });

  it('names the unknown words and the ones it knows', () => {
    vi.stubEnv('BENCH_X', 'wrk');
    expect(() => envChoice('BENCH_X', 'vegeta', ['vegeta', 'hey'], 'the load generator')).toThrow('BENCH_X=wrk: expected vegeta or hey (the load generator)');
    vi.stubEnv('BENCH_X', 'floor,flagger,linkerd');
    expect(() => envChoices('BENCH_X', 'floor', ['floor', 'kyverno'])).toThrow(
      'BENCH_X=floor,flagger,linkerd: unknown flagger, linkerd; expected any of floor, kyverno',
    );
    vi.stubEnv('BENCH_X', '');
    expect(() => envChoices('BENCH_X', 'floor', ['floor', 'kyverno'])).toThrow('expected any of floor, kyverno');
  });
});
