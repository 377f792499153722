import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ContextPolicySpecInput } from '../../../src/api/index.js';
import { compileRule, type RuleContext } from '../../../src/gates/index.js';
import { normalizeImage } from '../../../src/gates/rules/security.js';
import { contextPolicy, deployment, namespace } from './fixtures.js';

type RuleBody = Omit<ContextPolicySpecInput['rules'][number], 'id' | 'rationale'>;

function run(body: RuleBody, d: V1Deployment, extra: Partial<RuleContext> = {}): string[] {
  // Parse through the schema so defaults apply as they do for stored policies.
  const policy = contextPolicy('p', 'shop', { rules: [{ id: 'r', rationale: 'why', ...body }] });
  const [rule] = policy.spec.rules;
  if (rule === undefined) throw new Error('no rule');
  const findings = compileRule(rule, { policy: 'ContextPolicy/shop/p', enforcement: 'Enforce' })({
    object: d,
    namespace: namespace('shop'),
    rollouts: [],
    workloads: [],
    origin: 'ai-generated',
    ...extra,
  });
  return findings.map((f) => f.message);
}

const ok = deployment();
const cases: Array<{ name: string; rule: RuleBody; d: V1Deployment; extra?: Partial<RuleContext>; expect: RegExp | null }> = [
  // ownership
  { name: 'ownership ok', rule: { ownership: { labels: ['team'], annotations: ['runbook'] } }, d: ok, expect: null },
  { name: 'ownership missing label', rule: { ownership: { labels: ['team'] } }, d: deployment({ labels: { app: 'x' } }), expect: /label team is missing/ },
  { name: 'ownership empty label', rule: { ownership: { labels: ['team'] } }, d: deployment({ labels: { team: ' ' } }), expect: /label team/ },
  { name: 'ownership missing annotation', rule: { ownership: { annotations: ['runbook'] } }, d: deployment({ annotations: {} }), expect: /annotation runbook/ },
  // observability
  { name: 'metrics port', rule: { observability: { metrics: true } }, d: ok, expect: null },
  {
    name: 'metrics via scrape annotation',
    rule: { observability: { metrics: true } },
    d: deployment({ templateAnnotations: { 'prometheus.io/scrape': 'true' }, mutate: (d) => (d.spec!.template.spec!.containers[0]!.ports = []) }),
    expect: null,
  },
  {
    name: 'no metrics wiring',
    rule: { observability: { metrics: true } },
    d: deployment({ mutate: (d) => (d.spec!.template.spec!.containers[0]!.ports = [{ containerPort: 80 }]) }),
    expect: /no metrics wiring/,
  },
  { name: 'otel env ok', rule: { observability: { otelEnv: ['OTEL_SERVICE_NAME'] } }, d: ok, expect: null },
  {
    name: 'otel env missing',
    rule: { observability: { otelEnv: ['OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER'] } },
    d: ok,
    expect: /does not set OTEL_TRACES_SAMPLER$/,
  },
  {
    name: 'readiness missing',
    rule: { observability: { readinessProbe: true } },
    d: deployment({ mutate: (d) => delete d.spec!.template.spec!.containers[0]!.readinessProbe }),
    expect: /no readiness probe/,
  },
  // rollout conventions
  { name: 'flag missing', rule: { rolloutConvention: { requireFlag: true } }, d: ok, expect: /not behind a feature flag/ },
  {
    name: 'flag annotation',
    rule: { rolloutConvention: { requireFlag: true } },
    d: deployment({ templateAnnotations: { 'clairvoyance.dev/flag': 'new-checkout' } }),
    expect: null,
  },
  {
    // The Rollout's flag is the lever; the change itself must say its code sits behind it.
    name: 'flag on rollout only',
    rule: { rolloutConvention: { requireFlag: true } },
    d: ok,
    extra: {
      rollouts: [
        {
          name: 'checkout',
          namespace: 'shop',
          spec: {
            workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', scaleDown: 'onsuccess' },
            flag: { key: 'k', source: { configMap: { name: 'flags', key: 'f' } }, offVariant: 'off', onVariant: 'on', onPromotion: 'On' },
          },
        },
      ],
    },
    expect: /not behind a feature flag/,
  },
  { name: 'rollout missing', rule: { rolloutConvention: { requireRollout: true } }, d: ok, expect: /no Rollout governs Deployment checkout/ },
  {
    name: 'rollout present',
    rule: { rolloutConvention: { requireRollout: true } },
    d: ok,
    extra: {
      rollouts: [
        { name: 'checkout', namespace: 'shop', spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', scaleDown: 'onsuccess' } } },
      ],
    },
    expect: null,
  },
  // security
  { name: 'non-root ok', rule: { security: { runAsNonRoot: true } }, d: ok, expect: null },
  {
    name: 'non-root unset',
    rule: { security: { runAsNonRoot: true } },
    d: deployment({ mutate: (d) => delete d.spec!.template.spec!.securityContext }),
    expect: /may run as root/,
  },
  {
    name: 'container overrides pod non-root',
    rule: { security: { runAsNonRoot: true } },
    d: deployment({ mutate: (d) => (d.spec!.template.spec!.containers[0]!.securityContext = { runAsNonRoot: false }) }),
    expect: /may run as root/,
  },
  {
    name: 'uid 0',
    rule: { security: { runAsNonRoot: true } },
    d: deployment({ mutate: (d) => (d.spec!.template.spec!.securityContext = { runAsNonRoot: true, runAsUser: 0 }) }),
    expect: /uid 0/,
  },
  { name: 'limits ok', rule: { security: { requireResourceLimits: true } }, d: ok, expect: null },
  {
    name: 'memory limit missing',
    rule: { security: { requireResourceLimits: true } },
    d: deployment({ mutate: (d) => (d.spec!.template.spec!.containers[0]!.resources = { limits: { cpu: '1' } }) }),
    expect: /no memory limit/,
  },
  {
    name: 'init container limits',
    rule: { security: { requireResourceLimits: true } },
    d: deployment({ mutate: (d) => (d.spec!.template.spec!.initContainers = [{ name: 'migrate', image: 'registry.example.com/m' }]) }),
    expect: /container migrate has no cpu or memory limit/,
  },
  { name: 'registry ok', rule: { security: { allowedRegistries: ['registry.example.com/'] } }, d: ok, expect: null },
  {
    name: 'registry denied',
    rule: { security: { allowedRegistries: ['registry.example.com/'] } },
    d: deployment({ image: 'evil.example/checkout' }),
    expect: /registry not in/,
  },
  { name: 'docker hub normalized', rule: { security: { allowedRegistries: ['docker.io/library/'] } }, d: deployment({ image: 'nginx:1.27' }), expect: null },
  {
    name: 'data class ok',
    rule: { security: { dataClass: { requirements: [{ value: 'pci', requireAnnotations: ['clairvoyance.dev/reviewed-by'] }] } } },
    d: deployment({ templateAnnotations: { 'clairvoyance.dev/reviewed-by': 'alice' } }),
    extra: { namespace: namespace('shop', { 'clairvoyance.dev/data-class': 'pci' }) },
    expect: null,
  },
  {
    name: 'data class missing annotation',
    rule: { security: { dataClass: { requirements: [{ value: 'pci', requireAnnotations: ['clairvoyance.dev/reviewed-by'], requireLabels: ['pci-scope'] }] } } },
    d: ok,
    extra: { namespace: namespace('shop', { 'clairvoyance.dev/data-class': 'pci' }) },
    expect: /data class pci require pod-template annotation clairvoyance.dev\/reviewed-by; .*label pci-scope/,
  },
  {
    name: 'data class of another value',
    rule: { security: { dataClass: { requirements: [{ value: 'pci', requireAnnotations: ['x'] }] } } },
    d: ok,
    extra: { namespace: namespace('shop', { 'clairvoyance.dev/data-class': 'public' }) },
    expect: null,
  },
  // cel
  { name: 'cel true', rule: { cel: { expression: 'object.spec.replicas <= 3', message: 'too many' } }, d: ok, expect: null },
  { name: 'cel false', rule: { cel: { expression: 'object.spec.replicas == 1', message: 'exactly one replica' } }, d: ok, expect: /^exactly one replica$/ },
  { name: 'cel origin', rule: { cel: { expression: 'origin != "ai-generated" || has(object.metadata.labels.team)', message: 'm' } }, d: ok, expect: null },
  { name: 'cel namespaceObject', rule: { cel: { expression: 'namespaceObject.metadata.name == "shop"', message: 'm' } }, d: ok, expect: null },
  {
    name: 'cel error fails closed',
    rule: { cel: { expression: 'object.metadata.labels.missing == "x"', message: 'needs label' } },
    d: ok,
    expect: /needs label \(evaluation failed/,
  },
  { name: 'cel compile error', rule: { cel: { expression: 'object.(', message: 'broken' } }, d: ok, expect: /does not compile/ },
  { name: 'cel oldObject null on create', rule: { cel: { expression: 'oldObject == null', message: 'm' } }, d: ok, expect: null },
];

describe('rule kinds', () => {
  it.each(cases)('$name', ({ rule, d, extra, expect: want }) => {
    const messages = run(rule, d, extra);
    if (want === null) expect(messages).toEqual([]);
    else {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(want);
    }
  });

  it('normalizes images the way the runtime pulls them', () => {
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx');
    expect(normalizeImage('grafana/grafana:11')).toBe('docker.io/grafana/grafana:11');
    expect(normalizeImage('localhost/x')).toBe('localhost/x');
    expect(normalizeImage('registry:5000/x')).toBe('registry:5000/x');
  });

  it('stamps rationale, reference and the rule fix on findings', () => {
    const policy = contextPolicy('p', 'shop', {
      enforcement: 'Warn',
      rules: [{ id: 'owner', rationale: 'why', reference: 'https://adr/1', fix: 'add team', ownership: { labels: ['team'] } }],
    });
    const [f] = compileRule(policy.spec.rules[0]!, { policy: 'ContextPolicy/shop/p', enforcement: 'Warn' })({
      object: deployment({ labels: {} }),
      namespace: undefined,
      rollouts: [],
      workloads: [],
      origin: 'human',
    });
    expect(f).toMatchObject({
      ruleId: 'owner',
      policy: 'ContextPolicy/shop/p',
      enforcement: 'Warn',
      severity: 'warning',
      rationale: 'why',
      reference: 'https://adr/1',
      fix: 'add team',
    });
  });
});
