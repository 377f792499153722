import { describe, expect, it } from 'vitest';
import { validateDocument, type ValidationIssue } from '../../../src/api/validate/index.js';
import { policy, rollout, template } from './fixtures.js';

type Case = [name: string, doc: unknown, path: string, severity: ValidationIssue['severity'], message: RegExp];

function expectIssue(issues: ValidationIssue[], path: string, severity: string, message: RegExp): void {
  const hit = issues.find((i) => i.path === path && i.severity === severity && message.test(i.message));
  expect(hit, `expected ${severity} at ${path} matching ${message}; got ${JSON.stringify(issues, null, 2)}`).toBeDefined();
  expect(hit?.fix.length).toBeGreaterThan(0);
}

describe('validateDocument: valid documents', () => {
  it.each([
    ['rollout', rollout()],
    [
      'rollout through a Gateway',
      rollout(
        {},
        {
          traffic: { gatewayAPI: { httpRoutes: [{ name: 'checkout' }], service: 'checkout' } },
          steps: [
            { setCanaryScale: { replicas: 1 } },
            { setHeaderRoute: { name: 'testers', headers: [{ name: 'X-Canary', value: 'always' }] } },
            { setWeight: 5 },
            { analysis: { templates: [{ name: 'error-rate' }] } },
          ],
        },
      ),
    ],
    ['template', template()],
    ['policy', policy({ ownership: { labels: ['team'] } })],
    // The gate evaluates oldObject (null on CREATE and before a canary), so the check accepts it.
    ['policy CEL over oldObject', policy({ cel: { expression: 'oldObject == null || object.spec.replicas >= oldObject.spec.replicas', message: 'm' } })],
    ['non-clairvoyance object', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }],
  ])('%s has no errors', (_name, doc) => {
    expect(validateDocument(doc).filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('validateDocument: schema errors', () => {
  const cases: Case[] = [
    ['setWeight above 100', rollout({}, { steps: [{ setWeight: 150 }] }), 'spec.strategy.canary.steps[0].setWeight', 'error', /at most 100/],
    ['unknown step kind', rollout({}, { steps: [{ setWieght: 10 }] }), 'spec.strategy.canary.steps[0].setWieght', 'error', /unknown field/],
    [
      'two kinds in one step',
      rollout({}, { steps: [{ setWeight: 10, pause: {} }] }),
      'spec.strategy.canary.steps[0]',
      'error',
      /exactly one of setWeight, pause, analysis, setFlag, setCanaryScale or setHeaderRoute/,
    ],
    ['empty step', rollout({}, { steps: [{}] }), 'spec.strategy.canary.steps[0]', 'error', /exactly one/],
    ['missing workloadRef', rollout({ workloadRef: undefined }), 'spec.workloadRef', 'error', /workloadRef is required/],
    ['bad duration', rollout({}, { steps: [{ pause: { duration: '5 minutes' } }] }), 'spec.strategy.canary.steps[0].pause.duration', 'error', /duration/],
    ['bad maxSurge', rollout({}, { maxSurge: 'lots' }), 'spec.strategy.canary.maxSurge', 'error', /percentage/],
    [
      'flag variant parsed as boolean',
      rollout({ flag: { key: 'k', source: { configMap: { name: 'f' } }, onVariant: true } }),
      'spec.flag.onVariant',
      'error',
      /expected string/,
    ],
    [
      'flag with two sources',
      rollout({ flag: { key: 'k', source: { configMap: { name: 'f' }, featureFlag: { name: 'g' } } } }),
      'spec.flag.source',
      'error',
      /exactly one of configMap or featureFlag/,
    ],
    [
      'duplicate metric names',
      template({}, { metrics: [template().spec, template().spec].map(() => ({ name: 'm', provider: { signal: { kind: 'scraped' } } })) }),
      'spec.metrics[1].name',
      'error',
      /duplicate/,
    ],
    [
      'metric with two providers',
      template({ provider: { signal: { kind: 'scraped' }, prometheus: { query: 'up' } } }),
      'spec.metrics[0].provider',
      'error',
      /exactly one of prometheus, compare or signal/,
    ],
    ['rule without kind', policy({}), 'spec.rules[0]', 'error', /exactly one of ownership/],
    ['rule without rationale', policy({ rationale: undefined, ownership: { labels: ['team'] } }), 'spec.rules[0].rationale', 'error', /required/],
    [
      'namespaceSelector on ContextPolicy',
      policy({ ownership: { labels: ['team'] } }, 'ContextPolicy', { match: { namespaceSelector: {} } }),
      'spec.match.namespaceSelector',
      'error',
      /only allowed on ClusterContextPolicy/,
    ],
    ['unknown kind', { apiVersion: 'clairvoyance.dev/v1alpha1', kind: 'Rolout', metadata: { name: 'x' } }, 'kind', 'error', /unknown kind/],
    ['wrong version', { apiVersion: 'clairvoyance.dev/v1', kind: 'Rollout', metadata: { name: 'x' } }, 'apiVersion', 'error', /unsupported version/],
    ['not an object', 'hello', '', 'error', /not a Kubernetes object/],
  ];
  it.each(cases)('%s', (_name, doc, path, severity, message) => expectIssue(validateDocument(doc), path, severity, message));

  it('suggests the field a typo meant', () => {
    const issue = validateDocument(rollout({}, { steps: [{ setWieght: 10 }] })).find((i) => i.message.includes('unknown field'));
    expect(issue?.fix).toContain('setWeight');
  });
});

describe('validateDocument: semantic rules', () => {
  const q = 'spec.metrics[0].provider.prometheus.query';
  const gatewayAPI = { httpRoutes: [{ name: 'checkout' }], service: 'checkout' };
  const cases: Case[] = [
    [
      'setCanaryScale without gatewayAPI',
      rollout({}, { steps: [{ setCanaryScale: { replicas: 2 } }] }),
      'spec.strategy.canary.steps[0].setCanaryScale',
      'error',
      /needs spec\.strategy\.canary\.traffic\.gatewayAPI/,
    ],
    [
      'setHeaderRoute without gatewayAPI',
      rollout({}, { steps: [{ setHeaderRoute: { name: 'testers', headers: [{ name: 'X-Canary', value: 'yes' }] } }] }),
      'spec.strategy.canary.steps[0].setHeaderRoute',
      'error',
      /needs spec\.strategy\.canary\.traffic\.gatewayAPI/,
    ],
    [
      'baseline with gatewayAPI',
      rollout({}, { baseline: true, traffic: { gatewayAPI } }),
      'spec.strategy.canary.baseline',
      'error',
      /not supported with traffic\.gatewayAPI/,
    ],
    [
      'the same Service for stable and canary',
      rollout({}, { traffic: { gatewayAPI: { ...gatewayAPI, stableService: 'x', canaryService: 'x' } } }),
      'spec.strategy.canary.traffic.gatewayAPI',
      'error',
      /stableService and canaryService must be different/,
    ],
    [
      'an invalid header name',
      rollout({}, { traffic: { gatewayAPI }, steps: [{ setHeaderRoute: { name: 'h', headers: [{ name: 'X Canary', value: 'yes' }] } }] }),
      'spec.strategy.canary.steps[0].setHeaderRoute.headers[0].name',
      'error',
      /HTTP header name/,
    ],
    ['unparsable PromQL', template({ provider: { prometheus: { query: 'sum(rate(x[5m]) /' } } }), q, 'error', /PromQL does not parse/],
    [
      'PromQL with placeholders parses',
      template(
        { provider: { prometheus: { query: 'sum(rate(x{rev="{{canary.revision}}"}[{{args.w}}])) > {{args.t}}' } } },
        { args: [{ name: 'w' }, { name: 't' }] },
      ),
      '',
      'error',
      /^$/,
    ],
    ['undeclared argument', template({ provider: { prometheus: { query: 'up{job="{{args.job}}"}' } } }), q, 'error', /does not declare/],
    ['unknown placeholder', template({ provider: { prometheus: { query: 'up{rev="{{canary.revison}}"}' } } }), q, 'error', /unknown placeholder/],
    ['{{revision}} outside compare', template({ provider: { prometheus: { query: 'up{rev="{{revision}}"}' } } }), q, 'error', /only available in compare/],
    ['unused argument', template({}, { args: [{ name: 'job' }] }), 'spec.args[0]', 'warning', /declared but no query uses/],
    [
      'CEL condition does not compile',
      template({ successCondition: 'result <' }),
      'spec.metrics[0].successCondition',
      'error',
      /CEL condition does not compile/,
    ],
    ['CEL condition with unknown variable', template({ failureCondition: 'reslt > 1' }), 'spec.metrics[0].failureCondition', 'error', /reslt/],
    ['no conditions', template({ successCondition: undefined }), 'spec.metrics[0]', 'warning', /neither successCondition nor failureCondition/],
    ['zero interval', template({ interval: '0s' }), 'spec.metrics[0].interval', 'error', /longer than 0/],
    [
      'compare without {{revision}}',
      template({ successCondition: undefined, provider: { compare: { query: 'x', window: '5m' } } }),
      'spec.metrics[0].provider.compare.query',
      'error',
      /\{\{revision\}\}/,
    ],
    [
      'compare window too short',
      template({ successCondition: undefined, provider: { compare: { query: 'x{r="{{revision}}"}', window: '1m', step: '30s' } } }),
      'spec.metrics[0].provider.compare.window',
      'error',
      /fewer than 5 samples/,
    ],
    [
      'condition ignored by compare',
      template({ provider: { compare: { query: 'x{r="{{revision}}"}', window: '10m' } } }),
      'spec.metrics[0].successCondition',
      'warning',
      /ignored/,
    ],
    [
      'weight decreases',
      rollout({}, { steps: [{ setWeight: 50 }, { setWeight: 20 }, { analysis: { templates: [{ name: 'a' }] } }] }),
      'spec.strategy.canary.steps[1].setWeight',
      'warning',
      /decreases from 50%/,
    ],
    [
      'last step pauses forever',
      rollout({}, { steps: [{ setWeight: 50 }, { analysis: { templates: [{ name: 'a' }] } }, { pause: {} }] }),
      'spec.strategy.canary.steps[2].pause',
      'warning',
      /manual `clairvoyance promote`/,
    ],
    [
      'setFlag without spec.flag',
      rollout({}, { steps: [{ setFlag: { percent: 10 } }] }),
      'spec.strategy.canary.steps[0].setFlag',
      'error',
      /spec.flag is not set/,
    ],
    ['no analysis at all', rollout({}, { steps: [{ setWeight: 50 }] }), 'spec.strategy.canary.steps', 'warning', /nothing judges it/],
    ['no surge and no unavailability', rollout({}, { maxSurge: 0, maxUnavailable: 0 }), 'spec.strategy.canary.maxSurge', 'error', /both 0/],
    ['requireFlagFor without flag', rollout({ gates: { requireFlagFor: ['ai-generated'] } }), 'spec.gates.requireFlagFor', 'warning', /Blocked/],
    [
      'policy CEL does not compile',
      policy({ cel: { expression: 'object.metadata.labels.team !=', message: 'm' } }),
      'spec.rules[0].cel.expression',
      'error',
      /does not compile/,
    ],
    [
      'policy CEL uses reserved namespace',
      policy({ cel: { expression: 'namespace.metadata.name == "x"', message: 'm' } }),
      'spec.rules[0].cel.expression',
      'error',
      /does not compile/,
    ],
    ['empty ownership rule', policy({ ownership: {} }), 'spec.rules[0].ownership', 'error', /checks nothing/],
    [
      'registry without slash',
      policy({ security: { allowedRegistries: ['registry.example.com'] } }),
      'spec.rules[0].security.allowedRegistries[0]',
      'warning',
      /other hosts/,
    ],
    [
      'In selector without values',
      policy({ ownership: { labels: ['team'] } }, 'ClusterContextPolicy', {
        match: { workloadSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
      }),
      'spec.match.workloadSelector.matchExpressions[0].values',
      'error',
      /at least one value/,
    ],
  ];
  it.each(cases)('%s', (_name, doc, path, severity, message) => {
    const issues = validateDocument(doc);
    if (message.source === '^$') expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    else expectIssue(issues, path, severity, message);
  });
});

describe('validateDocument: template arguments against a Rollout', () => {
  const tmpl = template({ provider: { prometheus: { query: 'up{job="{{args.job}}"}' } } }, { args: [{ name: 'job' }, { name: 'env', value: 'prod' }] });
  const lookupTemplate = () => tmpl.spec as never;

  it('reports a required argument that is not supplied', () => {
    const issues = validateDocument(rollout(), { lookupTemplate });
    expectIssue(issues, 'spec.strategy.canary.steps[1].analysis.args', 'error', /requires argument "job"/);
  });

  it('accepts supplied arguments and warns about unknown ones', () => {
    const doc = rollout(
      {},
      {
        steps: [
          { setWeight: 10 },
          {
            analysis: {
              templates: [{ name: 'error-rate' }],
              args: [
                { name: 'job', value: 'x' },
                { name: 'jobb', value: 'y' },
              ],
            },
          },
        ],
      },
    );
    const issues = validateDocument(doc, { lookupTemplate });
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expectIssue(issues, 'spec.strategy.canary.steps[1].analysis.args[1]', 'warning', /declares argument "jobb"/);
  });

  it('warns when a template is not found', () => {
    const issues = validateDocument(rollout(), { lookupTemplate: () => undefined });
    expectIssue(issues, 'spec.strategy.canary.steps[1].analysis.templates[0]', 'warning', /not found/);
  });
});
