import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/index.js';
import { StaticPolicySource } from '../../../src/gates/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../../src/webhook/admission-review.js';
import type { ReviewDeps } from '../../../src/webhook/handler.js';
import type { LedgerEntry } from '../../../src/ledger/identity.js';
import { WebhookMetrics } from '../../../src/webhook/metrics.js';
import { mutateDeployment } from '../../../src/webhook/mutate-deployment.js';
import { validateDeployment } from '../../../src/webhook/validate-deployment.js';
import { validateResource } from '../../../src/webhook/validate-resource.js';
import { AI_POLICY_RULES, clusterPolicy, deployment, namespace } from '../gates/fixtures.js';
import { review } from './review.js';

const aiChange = deployment({
  labels: { app: 'checkout' },
  annotations: {},
  templateAnnotations: { 'clairvoyance.dev/origin': 'ai-generated' },
  mutate: (d) => (d.spec!.template.spec!.containers[0]!.ports = []),
});

function requestOf(body: Record<string, unknown>): AdmissionRequest {
  const parsed = parseAdmissionReview(body);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.request;
}

function deps(
  opts: { gated?: boolean; enforcement?: 'Enforce' | 'Warn' | 'Audit'; rollouts?: Rollout[] } = {},
): ReviewDeps & { metrics: WebhookMetrics; registry: Registry } {
  const registry = new Registry();
  const source = new StaticPolicySource({
    clusterContextPolicies: [clusterPolicy('ai', { enforcement: opts.enforcement ?? 'Enforce', match: { origins: ['ai-generated'] }, rules: AI_POLICY_RULES })],
    namespaces: [namespace('shop', opts.gated === false ? {} : { 'clairvoyance.dev/gated': 'true' })],
    rollouts: opts.rollouts ?? [],
  });
  return { source, logger: silentLogger, metrics: new WebhookMetrics(registry), registry, now: () => new Date('2025-01-02T03:04:05.678Z') };
}

describe('validate Deployments', () => {
  it('denies an ai-generated change in a gated namespace, listing rule id, rationale and fix', async () => {
    const d = deps();
    const res = validateDeployment(requestOf(review(aiChange)), d);
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(403);
    const msg = res.status?.message ?? '';
    for (const id of ['owner', 'behind-flag', 'metrics-wired']) expect(msg).toContain(`[${id}]`);
    expect(msg).toContain('why: INC-4711');
    expect(msg).toContain('fix: set metadata.labels["team"]');
    expect(msg).toContain('see: https://adr.example/17');
    expect(res.auditAnnotations?.findings).toContain('ClusterContextPolicy/ai#owner=Enforce');
    expect(await d.registry.getSingleMetricAsString('clairvoyance_webhook_denials_total')).toContain('rule="owner"} 1');
  });

  it('admits with warnings in Warn mode', () => {
    const res = validateDeployment(requestOf(review(aiChange)), deps({ enforcement: 'Warn' }));
    expect(res.allowed).toBe(true);
    expect(res.warnings).toHaveLength(3);
    expect(res.warnings?.[0]).toMatch(/^\[owner\] .*why: .*fix: /);
  });

  it('only warns outside gated namespaces', () => {
    const res = validateDeployment(requestOf(review(aiChange)), deps({ gated: false }));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/^would be denied in a gated namespace: \[owner\]/);
  });

  it('records Audit findings only in audit annotations', () => {
    const res = validateDeployment(requestOf(review(aiChange)), deps({ enforcement: 'Audit' }));
    expect(res).toMatchObject({ allowed: true, auditAnnotations: { origin: 'ai-generated' } });
    expect(res.warnings).toBeUndefined();
    expect(res.auditAnnotations?.findings).toContain('=Audit');
  });

  it('lets a scale of a non-compliant Deployment through, but not a change to its template or labels', () => {
    const scaled = structuredClone(aiChange);
    scaled.spec!.replicas = 0;
    expect(validateDeployment(requestOf(review(scaled, { operation: 'UPDATE', oldObject: aiChange })), deps())).toEqual({ uid: 'uid-1', allowed: true });
    const relabelled = structuredClone(aiChange);
    relabelled.metadata!.labels = { ...relabelled.metadata!.labels, tier: 'web' };
    expect(validateDeployment(requestOf(review(relabelled, { operation: 'UPDATE', oldObject: aiChange })), deps()).allowed).toBe(false);
    const newImage = structuredClone(aiChange);
    newImage.spec!.template.spec!.containers[0]!.image = 'registry.example.com/shop/checkout:3';
    expect(validateDeployment(requestOf(review(newImage, { operation: 'UPDATE', oldObject: aiChange })), deps()).allowed).toBe(false);
  });

  it('in ungated namespaces the mutating call carries the warnings, so one call answers an apply', () => {
    const res = mutateDeployment(requestOf(review(aiChange)), deps({ gated: false }));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/^would be denied in a gated namespace: \[owner\]/);
    expect(res.auditAnnotations?.origin).toBe('ai-generated');
    expect(res.patchType).toBe('JSONPatch');
    expect(mutateDeployment(requestOf(review(aiChange)), deps()).warnings).toBeUndefined();
  });

  it('admits compliant and human-origin changes', () => {
    const compliant = deployment({ templateAnnotations: { 'clairvoyance.dev/origin': 'ai-generated', 'clairvoyance.dev/flag': 'f' } });
    expect(validateDeployment(requestOf(review(compliant)), deps()).allowed).toBe(true);
    const human = deployment({ labels: {}, annotations: {}, templateAnnotations: { 'clairvoyance.dev/origin': 'human' } });
    expect(validateDeployment(requestOf(review(human)), deps()).allowed).toBe(true);
  });

  it('answers a dryRun identically and records no metrics', async () => {
    const d = deps();
    const res = validateDeployment(requestOf(review(aiChange, { dryRun: true })), d);
    expect(res.allowed).toBe(false);
    expect(await d.registry.getSingleMetricAsString('clairvoyance_webhook_denials_total')).not.toContain('rule="owner"');
  });

  it('records a denial on the Change of each governing Rollout, and never a dry run', () => {
    const recorded: { namespace: string; entries: LedgerEntry[] }[] = [];
    const governing = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' }, stabilityWindow: '1h' } as Rollout['spec'],
    } as Rollout;
    const d = { ...deps({ rollouts: [governing] }), recordChanges: (namespace: string, entries: LedgerEntry[]) => void recorded.push({ namespace, entries }) };
    validateDeployment(requestOf(review(aiChange, { dryRun: true })), d);
    expect(recorded).toEqual([]);
    validateDeployment(requestOf(review(aiChange)), d);
    expect(recorded).toHaveLength(1);
    const [entry] = recorded[0]!.entries;
    expect(recorded[0]!.namespace).toBe('shop');
    expect(entry?.change.spec).toMatchObject({ rollout: 'checkout', workload: 'checkout', origin: 'ai-generated', stabilityWindow: '1h' });
    expect(entry?.change.name).toMatch(/^checkout-[0-9a-f]{10}$/);
    expect(entry?.event).toMatchObject({ type: 'Denied', at: '2025-01-02T03:04:05.678Z', rules: ['owner', 'behind-flag', 'metrics-wired'] });
  });

  it('warns about a provenance time it cannot read instead of dropping it silently', () => {
    const d = deployment({ templateAnnotations: { 'clairvoyance.dev/origin': 'human', 'clairvoyance.dev/prompted-at': 'yesterday' } });
    const res = validateDeployment(requestOf(review(d)), deps());
    expect(res.allowed).toBe(true);
    expect(res.warnings).toContain(
      'clairvoyance.dev/prompted-at is not an RFC 3339 time (e.g. 2026-03-01T10:00:00Z); cycle times and the change ledger ignore it',
    );
  });

  it('fills the namespace from the request when the object has none', () => {
    const d = structuredClone(aiChange);
    delete d.metadata!.namespace;
    expect(validateDeployment(requestOf(review(d)), deps()).allowed).toBe(false);
  });

  it('allows DELETE', () => {
    expect(validateDeployment(requestOf(review(aiChange, { operation: 'DELETE' })), deps()).allowed).toBe(true);
  });

  it('throws a malformed-object error for a non-object', () => {
    expect(() => validateDeployment(requestOf(review('nope')), deps())).toThrow(/not a JSON object/);
  });
});

describe('validate Rollouts', () => {
  const rollout = {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: { workloadRef: { kind: 'Deployment', name: 'checkout' }, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
  };

  it('admits a valid Rollout', () => {
    expect(validateResource(requestOf(review(rollout, { kind: 'Rollout' })), deps())).toMatchObject({ allowed: true });
  });

  it('denies an invalid one with path, message and fix', () => {
    const bad = { ...rollout, spec: { ...rollout.spec, strategy: { canary: { steps: [{ setWeight: 150 }] } } } };
    const res = validateResource(requestOf(review(bad, { kind: 'Rollout' })), deps());
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toMatch(/spec\.strategy\.canary\.steps\[0\]\.setWeight/);
    expect(res.status?.message).toContain('(fix: ');
  });
});

describe('mutate Deployments', () => {
  const patchOf = (b64: string | undefined): unknown => JSON.parse(Buffer.from(b64 ?? '', 'base64').toString());
  const adoptedBy: Rollout = {
    apiVersion: 'clairvoyance.dev/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' } } as Rollout['spec'],
    status: { adopted: true },
  };

  it('stamps admitted-at on the Deployment on create', () => {
    const res = mutateDeployment(requestOf(review(deployment())), deps());
    expect(res.patchType).toBe('JSONPatch');
    expect(patchOf(res.patch)).toEqual([{ op: 'add', path: '/metadata/annotations/clairvoyance.dev~1admitted-at', value: '2025-01-02T03:04:05Z' }]);
  });

  it('adds the annotations map when there is none', () => {
    const d = deployment();
    delete d.metadata!.annotations;
    expect(patchOf(mutateDeployment(requestOf(review(d)), deps()).patch)).toEqual([
      { op: 'add', path: '/metadata/annotations', value: { 'clairvoyance.dev/admitted-at': '2025-01-02T03:04:05Z' } },
    ]);
  });

  it('keeps an adopted Deployment at zero replicas, and does not restamp an unchanged template', () => {
    const old = deployment({ annotations: { 'clairvoyance.dev/admitted-at': '2024-12-31T00:00:00Z' } });
    const scaled = deployment({ annotations: { 'clairvoyance.dev/admitted-at': '2024-12-31T00:00:00Z' } });
    scaled.spec!.replicas = 5;
    const res = mutateDeployment(requestOf(review(scaled, { operation: 'UPDATE', oldObject: old })), deps({ rollouts: [adoptedBy] }));
    expect(patchOf(res.patch)).toEqual([{ op: 'add', path: '/spec/replicas', value: 0 }]);
  });

  it('leaves the replicas of a Deployment whose pods still serve (adoption not complete, or scaleDown never)', () => {
    const scaled = deployment();
    scaled.spec!.replicas = 4;
    const adopting = { ...adoptedBy, status: {} };
    const never = { ...adoptedBy, spec: { ...adoptedBy.spec, workloadRef: { ...adoptedBy.spec.workloadRef, scaleDown: 'never' as const } } };
    for (const r of [adopting, never]) {
      const res = mutateDeployment(requestOf(review(scaled)), deps({ rollouts: [r] }));
      expect((patchOf(res.patch) as { path: string }[]).some((op) => op.path === '/spec/replicas')).toBe(false);
    }
  });

  it('carries the previous stamp over when an apply dropped it', () => {
    const old = deployment({ annotations: { 'clairvoyance.dev/admitted-at': '2024-12-31T00:00:00Z' } });
    const res = mutateDeployment(requestOf(review(deployment(), { operation: 'UPDATE', oldObject: old })), deps());
    expect(patchOf(res.patch)).toEqual([{ op: 'add', path: '/metadata/annotations/clairvoyance.dev~1admitted-at', value: '2024-12-31T00:00:00Z' }]);
  });

  it('restamps when the pod template changes', () => {
    const old = deployment({ annotations: { 'clairvoyance.dev/admitted-at': '2024-12-31T00:00:00Z' } });
    const res = mutateDeployment(
      requestOf(review(deployment({ image: 'registry.example.com/shop/checkout:2' }), { operation: 'UPDATE', oldObject: old })),
      deps(),
    );
    expect(patchOf(res.patch)).toEqual([{ op: 'add', path: '/metadata/annotations/clairvoyance.dev~1admitted-at', value: '2025-01-02T03:04:05Z' }]);
  });

  it('leaves a non-adopted, unchanged Deployment alone', () => {
    const d = deployment({ annotations: { 'clairvoyance.dev/admitted-at': 'x' } });
    expect(mutateDeployment(requestOf(review(d, { operation: 'UPDATE', oldObject: d })), deps())).toEqual({ uid: 'uid-1', allowed: true });
  });
});

describe('AdmissionReview parsing', () => {
  it.each([
    [null],
    [[]],
    [{}],
    [{ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }],
    [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '' } }],
    [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: {}, operation: 'PATCH' } }],
  ])('rejects %j', (body) => {
    expect(parseAdmissionReview(body)).toHaveProperty('error');
  });
});
