import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration, parseDurationOr } from '../../../src/api/durations.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['0s', 0],
    ['1000us', 1],
    ['1000µs', 1],
    ['1000000ns', 1],
    ['.5s', 500],
    ['+3s', 3000],
    ['1h1m1s1ms', 3_661_001],
  ])('%s -> %d ms', (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', /empty/],
    ['10', /missing unit/],
    ['1d', /unknown unit "d"/],
    ['-1s', /negative/],
    ['s', /unexpected "s"/],
    ['1s x', /unexpected/],
    ['1m30', /missing unit/],
  ])('rejects %j', (input, reason) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
    expect(() => parseDuration(input)).toThrow(reason);
  });

  it('names the input in the error', () => {
    expect(() => parseDuration('3x')).toThrow('invalid duration "3x"');
  });

  it('falls back when absent', () => {
    expect(parseDurationOr(undefined, 30_000)).toBe(30_000);
    expect(parseDurationOr('1m', 30_000)).toBe(60_000);
  });

  it.each([
    [250, '250ms'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [0, '0ms'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
