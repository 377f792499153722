import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionError, evaluateCondition, formatValue, judgeValue, validateCondition } from '../../../src/analysis/conditions.js';
import type { ConditionInput } from '../../../src/analysis/conditions.js';

describe('evaluateCondition', () => {
  it.each<[string, ConditionInput, boolean]>([
    ['result < 0.05', 0.01, true],
    ['result < 0.05', 0.5, false],
    ['result < 0.05', [0.01], true],
    ['result[0] < 0.05', [0.01], true],
    ['result[0] < 0.05', 0.01, true],
    ['result < 1', 0.5, true],
    ['result == 1', 1, true],
    ['result == 1', [1], true],
    ['result[0] == 1', [1], true],
    ['result != 1', 0, true],
    ['result >= 0.9 && result <= 1', 0.95, true],
    ['result.all(x, x < 0.05)', [0.01, 0.02], true],
    ['result.all(x, x < 0.05)', [0.01, 0.2], false],
    ['result.exists(x, x > 0.1)', [0.01, 0.2], true],
    ['size(result) == 2', [1, 2], true],
    ['result[1] > result[0]', [1, 2], true],
    ['result.all(x, x < 0.05)', 0.01, true],
    ['result > 100', Infinity, true],
    ['result * 100 < 5', 0.01, true],
    ['100 * result[0] < 5', [0.07], false],
    ['result / 2 == 0.25', 0.5, true],
    ['result - 1 > 0', 2, true],
  ])('%s with %j -> %s', (expr, input, expected) => {
    expect(evaluateCondition(compileCondition(expr), input)).toBe(expected);
  });

  it('a scalar-only expression on several series is an error, not a guess', () => {
    expect(() => evaluateCondition(compileCondition('result < 1'), [0.1, 0.2])).toThrow(/returned 2 series/);
  });

  it('caches compiled programs', () => {
    expect(compileCondition('result > 2')).toBe(compileCondition('result > 2'));
  });

  it.each([
    ['result <', /Unexpected/],
    ['result + 1', /must evaluate to bool/],
    ['result > 1.0 ? 1 : 0', /must evaluate to bool/],
    ['"a" == result', /overload/],
    ['foo > 1', /foo/],
    ['', /empty/],
  ])('rejects %j', (expr, reason) => {
    expect(() => compileCondition(expr)).toThrow(ConditionError);
    expect(validateCondition(expr)).toMatch(reason);
  });

  it('validateCondition accepts valid expressions', () => {
    expect(validateCondition('result[0] < 0.05')).toBeUndefined();
  });
});

describe('judgeValue (Argo semantics)', () => {
  const s = 'result < 0.05';
  const f = 'result > 0.1';
  it.each<[string | undefined, string | undefined, ConditionInput, string]>([
    [s, undefined, 0.01, 'Successful'],
    [s, undefined, 0.07, 'Failed'],
    [undefined, f, 0.07, 'Successful'],
    [undefined, f, 0.2, 'Failed'],
    [s, f, 0.01, 'Successful'],
    [s, f, 0.2, 'Failed'],
    [s, f, 0.07, 'Inconclusive'],
    [undefined, undefined, 0.07, 'Successful'],
    [s, undefined, [], 'Inconclusive'],
    [undefined, undefined, [], 'Inconclusive'],
    [s, undefined, NaN, 'Inconclusive'],
    [s, undefined, [NaN], 'Inconclusive'],
    [undefined, undefined, NaN, 'Inconclusive'],
    [s, undefined, [0.01, 0.02], 'Error'],
  ])('success=%s failure=%s value=%j -> %s', (successCondition, failureCondition, input, phase) => {
    expect(judgeValue({ successCondition, failureCondition }, input).phase).toBe(phase);
  });

  it('names value and condition in the message', () => {
    expect(judgeValue({ successCondition: s }, 0.07).message).toBe('value 0.07 did not meet successCondition "result < 0.05"');
    expect(judgeValue({ failureCondition: f }, [0.2]).message).toBe('value [0.2] met failureCondition "result > 0.1"');
    expect(judgeValue({ successCondition: s }, []).message).toMatch(/no data/);
  });

  it('formats values', () => {
    expect(formatValue(1)).toBe('1');
    expect(formatValue(0.123456789)).toBe('0.123457');
    expect(formatValue([1, 0.5])).toBe('[1, 0.5]');
  });
});
