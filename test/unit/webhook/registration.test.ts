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

  it('splits every endpoint into a Fail entry for gated namespaces and an Ignore entry elsewhere', () => {
    expect(validating.webhooks?.map((w) => [w.name, w.failurePolicy])).toEqual([
      ['gated.validate-deployments.clairvoyance.dev', 'Fail'],
      ['ungated.validate-deployments.clairvoyance.dev', 'Ignore'],
      ['gated.validate-rollouts.clairvoyance.dev', 'Fail'],
      ['ungated.validate-rollouts.clairvoyance.dev', 'Ignore'],
    ]);
    expect(mutating.webhooks?.map((w) => w.failurePolicy)).toEqual(['Fail', 'Ignore']);
    const gated = validating.webhooks?.[0]?.namespaceSelector?.matchExpressions;
    expect(gated).toEqual([
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'clairvoyance-system'] },
      { key: 'run', operator: 'In', values: ['1'] },
      { key: 'clairvoyance.dev/gated', operator: 'In', values: ['true'] },
    ]);
    expect(validating.webhooks?.[1]?.namespaceSelector?.matchExpressions?.[2]).toEqual({ key: 'clairvoyance.dev/gated', operator: 'NotIn', values: ['true'] });
  });

  it('calls the loopback URL per path with the CA bundle, v1 reviews, no side effects, 5 s', () => {
    for (const w of [...(validating.webhooks ?? []), ...(mutating.webhooks ?? [])]) {
      expect(w.clientConfig.url).toMatch(/^https:\/\/127\.0\.0\.1:8443\/(validate|mutate)\//);
      expect(Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
      expect(w).toMatchObject({ sideEffects: 'None', timeoutSeconds: 5, admissionReviewVersions: ['v1'] });
    }
    expect(validating.webhooks?.[2]?.rules?.[0]).toMatchObject({ apiGroups: ['clairvoyance.dev'], apiVersions: ['v1alpha1'], resources: ['rollouts'] });
  });

  it('uses the Service in cluster', () => {
    const { mutating: m } = webhookConfigurations({ caBundle: 'x', target: { service: { name: 'cv-webhook', namespace: 'cv', port: 443 } }, controllerNamespace: 'cv' });
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
