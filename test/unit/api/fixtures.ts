// Minimal valid documents that test cases modify.
export function rollout(spec: Record<string, unknown> = {}, canary: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: {
      workloadRef: { kind: 'Deployment', name: 'checkout' },
      strategy: { canary: { steps: [{ setWeight: 20 }, { analysis: { templates: [{ name: 'error-rate' }] } }], ...canary } },
      ...spec,
    },
  };
}

export function template(metric: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'error-rate', namespace: 'shop' },
    spec: {
      metrics: [
        {
          name: 'error-rate',
          successCondition: 'result < 0.01',
          provider: { prometheus: { query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))' } },
          ...metric,
        },
      ],
      ...extra,
    },
  };
}

export function policy(rule: Record<string, unknown>, kind = 'ClusterContextPolicy', spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind,
    metadata: { name: 'prod' },
    spec: { rules: [{ id: 'r1', rationale: 'because', ...rule }], ...spec },
  };
}
