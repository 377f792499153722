import { describe, expect, it } from 'vitest';
import { REGISTERED_BY_ANNOTATION, WEBHOOK_LABELS, webhookConfigurations } from '../../../src/webhook/registration.js';

describe('webhook configurations', () => {
  const { validating, mutating } = webhookConfigurations({
    name: 'cv',
    caBundle: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
    target: { url: 'https://127.0.0.1:8443' },
    controllerNamespace: 'clairvoyance-system',
    namespaceRequirements: [{ key: 'run', operator: 'In', values: ['1'] }],
  });

  it('gates Deployments in gated namespaces only, splits the rest by failure policy, and fails open for cluster-scoped objects', () => {
    expect(validating.webhooks?.map((w) => [w.name, w.failurePolicy, w.timeoutSeconds])).toEqual([
      ['gated.validate-deployments.clairvoyance.dev', 'Fail', 5],
      ['gated.validate-resources.clairvoyance.dev', 'Fail', 5],
      ['ungated.validate-resources.clairvoyance.dev', 'Ignore', 1],
      ['validate-cluster-resources.clairvoyance.dev', 'Ignore', 2],
    ]);
    expect(mutating.webhooks?.map((w) => [w.name, w.failurePolicy, w.timeoutSeconds])).toEqual([
      ['gated.mutate-deployments.clairvoyance.dev', 'Fail', 5],
      ['ungated.mutate-deployments.clairvoyance.dev', 'Ignore', 1],
    ]);
    const gated = validating.webhooks?.[0]?.namespaceSelector?.matchExpressions;
    expect(gated).toEqual([
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'clairvoyance-system'] },
      { key: 'run', operator: 'In', values: ['1'] },
      { key: 'clairvoyance.dev/gated', operator: 'In', values: ['true'] },
    ]);
    expect(validating.webhooks?.[2]?.namespaceSelector?.matchExpressions?.[2]).toEqual({ key: 'clairvoyance.dev/gated', operator: 'NotIn', values: ['true'] });
    expect(validating.webhooks?.[3]?.namespaceSelector).toBeUndefined();
  });

  it('validates every Clairvoyance kind, namespaced and cluster-scoped, and skips scale-only Deployment updates', () => {
    expect(validating.webhooks?.[1]?.rules?.[0]).toMatchObject({
      apiGroups: ['clairvoyance.dev'],
      resources: ['rollouts', 'analysistemplates', 'contextpolicies'],
      scope: 'Namespaced',
    });
    expect(validating.webhooks?.[3]?.rules?.[0]).toMatchObject({ resources: ['clusteranalysistemplates', 'clustercontextpolicies'], scope: 'Cluster' });
    for (const w of [validating.webhooks?.[0], ...(mutating.webhooks ?? [])]) expect(w?.matchConditions?.map((m) => m.name)).toEqual(['gated-surface-changed']);
    expect(validating.webhooks?.[1]?.matchConditions).toBeUndefined();
  });

  it('calls the loopback URL per path with the CA bundle, v1 reviews, no side effects', () => {
    for (const w of [...(validating.webhooks ?? []), ...(mutating.webhooks ?? [])]) {
      expect(w.clientConfig.url).toMatch(/^https:\/\/127\.0\.0\.1:8443\/(validate|mutate)\//);
      expect(Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
      expect(w).toMatchObject({ sideEffects: 'None', admissionReviewVersions: ['v1'] });
    }
  });

  it('uses the Service in cluster', () => {
    const { mutating: m } = webhookConfigurations({
      caBundle: 'x',
      target: { service: { name: 'cv-webhook', namespace: 'cv', port: 443 } },
      controllerNamespace: 'cv',
    });
    expect(m.metadata?.name).toBe('clairvoyance');
    expect(m.webhooks?.[0]?.clientConfig.service).toEqual({ name: 'cv-webhook', namespace: 'cv', port: 443, path: '/mutate/deployments' });
  });

  it('records who registered it and, in cluster, the owner that garbage-collects it', () => {
    const owner = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'cv', uid: '6f1c' };
    const { validating: v, mutating: m } = webhookConfigurations({
      caBundle: 'x',
      target: { service: { name: 'cv-webhook', namespace: 'cv', port: 443 } },
      controllerNamespace: 'cv',
      registeredBy: 'pod-1/1/abc',
      owner,
    });
    for (const c of [v, m]) {
      expect(c.metadata?.annotations).toEqual({ [REGISTERED_BY_ANNOTATION]: 'pod-1/1/abc' });
      expect(c.metadata?.ownerReferences).toEqual([owner]);
      expect(c.metadata?.labels).toEqual(WEBHOOK_LABELS);
    }
    const { validating: bare } = webhookConfigurations({ caBundle: 'x', target: { url: 'https://127.0.0.1:1' }, controllerNamespace: 'cv' });
    expect(bare.metadata?.annotations).toBeUndefined();
    expect(bare.metadata?.ownerReferences).toBeUndefined();
  });
});
