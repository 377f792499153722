import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../../src/analysis/types.js';
import { validateMetric } from '../../../src/analysis/validate.js';

const ok: MetricSpec = {
  name: 'm',
  interval: '1m',
  successCondition: 'result < 1',
  provider: { prometheus: { query: 'x{r="{{canary.revision}}",s="{{args.svc}}"}' } },
};

describe('validateMetric', () => {
  it('accepts a valid metric', () => {
    expect(validateMetric(ok)).toEqual([]);
  });

  it.each<[string, MetricSpec, RegExp]>([
    ['bad interval', { ...ok, interval: '1d' }, /metrics\[m\]\.interval: invalid duration "1d"/],
    ['bad condition', { ...ok, successCondition: 'result <' }, /metrics\[m\]\.successCondition: condition "result <"/],
    ['unknown placeholder', { ...ok, provider: { prometheus: { query: '{{canary.hash}}' } } }, /unknown placeholder \{\{canary\.hash\}\}/],
    ['no provider', { ...ok, provider: {} }, /no provider/],
    ['bad address', { ...ok, provider: { prometheus: { query: 'q', address: 'prom:9090' } } }, /address: must be http|not a URL/],
    ['negative count', { ...ok, count: -1 }, /count/],
    [
      'compare without {{revision}}',
      { name: 'm', provider: { compare: { query: 'latency', against: 'stable', window: '5m', step: '15s', direction: 'increase' } } },
      /must use \{\{revision\}\}/,
    ],
    [
      'compare with a bad pValue and maxRatio',
      {
        name: 'm',
        provider: { compare: { query: '{{revision}}', against: 'stable', window: '5m', step: 'x', direction: 'increase', pValue: 2, maxRatio: 0.5 } },
      },
      /step: invalid duration[\s\S]*pValue[\s\S]*maxRatio/,
    ],
  ])('%s', (_n, metric, problem) => {
    expect(validateMetric(metric).join('\n')).toMatch(problem);
  });
});
