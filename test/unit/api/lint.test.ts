import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSources, splitPath } from '../../../src/api/lint.js';
import { formatText } from '../../../src/cli/commands/lint.js';

const BAD_TEMPLATE = `apiVersion: clairvoyance.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: bad
spec:
  metrics:
    - name: error-rate
      successCondition: result <
      provider:
        prometheus:
          query: sum(rate(x[5m]) /
`;

const ROLLOUT = `apiVersion: clairvoyance.dev/v1alpha1
kind: Rollout
metadata:
  name: r
spec:
  workloadRef: {kind: Deployment, name: r}
  strategy:
    canary:
      steps:
        - setWeight: 10
        - analysis:
            templates: [{name: needs-args}]
  flag:
    key: k
    source: {configMap: {name: x}}
    onVariant: on
`;

const NEEDS_ARGS = `apiVersion: clairvoyance.dev/v1alpha1
kind: AnalysisTemplate
metadata: {name: needs-args}
spec:
  args: [{name: job}]
  metrics:
    - name: up
      successCondition: result == 1
      provider: {prometheus: {query: 'up{job="{{args.job}}"}'}}
`;

describe('lintSources', () => {
  it('names the path and line of unparsable PromQL and a CEL condition that does not compile', () => {
    const report = lintSources([{ file: 't.yaml', text: BAD_TEMPLATE }]);
    expect(report.errors).toBe(2);
    const issues = report.files[0]?.documents[0]?.issues ?? [];
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['spec.metrics[0].successCondition', 8],
      ['spec.metrics[0].provider.prometheus.query', 11],
    ]);
  });

  it('reads YAML as kubectl does: unquoted on is a boolean', () => {
    const report = lintSources([{ file: 'r.yaml', text: ROLLOUT }]);
    const issue = report.files[0]?.documents[0]?.issues.find((i) => i.path === 'spec.flag.onVariant');
    expect(issue?.severity).toBe('error');
    expect(issue?.fix).toMatch(/quote/);
  });

  it('resolves templates across files and checks their arguments', () => {
    const report = lintSources([
      { file: 'r.yaml', text: ROLLOUT.replace('onVariant: on', 'onVariant: "on"') },
      { file: 't.yaml', text: NEEDS_ARGS },
    ]);
    const issues = report.files[0]?.documents[0]?.issues ?? [];
    expect(issues).toContainEqual(
      expect.objectContaining({ path: 'spec.strategy.canary.steps[1].analysis.args', severity: 'error', message: expect.stringContaining('"job"') }),
    );
  });

  it('skips other kinds and empty documents, and reports YAML syntax errors', () => {
    const report = lintSources([
      { file: 'a.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n' },
      { file: 'b.yaml', text: 'a: [1, 2\n' },
    ]);
    expect(report.files[0]?.documents.flatMap((d) => d.issues)).toEqual([]);
    expect(report.files[1]?.documents[0]?.issues[0]?.message).toMatch(/^YAML:/);
    expect(report.errors).toBe(1);
  });

  it('prints per file and path with a summary', () => {
    const text = formatText(lintSources([{ file: 't.yaml', text: BAD_TEMPLATE }]));
    expect(text).toContain('t.yaml\n  AnalysisTemplate bad (document 1, line 1)');
    expect(text).toContain('error   spec.metrics[0].provider.prometheus.query: PromQL does not parse');
    expect(text).toContain('[t.yaml:11]');
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 errors, 0 warnings in 1 file');
  });

  it.each([
    ['spec.steps[0].setWeight', ['spec', 'steps', 0, 'setWeight']],
    ['spec.metrics[10]', ['spec', 'metrics', 10]],
    ['', []],
  ])('splitPath(%j)', (path, segments) => expect(splitPath(path)).toEqual(segments));
});

describe('manifests/examples', () => {
  it('lint with zero errors', async () => {
    const dir = 'manifests/examples';
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const report = lintSources(await Promise.all(files.map(async (f) => ({ file: join(dir, f), text: await readFile(join(dir, f), 'utf8') }))));
    const problems = report.files.flatMap((f) => f.documents.flatMap((d) => d.issues.map((i) => `${f.file} ${i.severity} ${i.path}: ${i.message}`)));
    expect(problems).toEqual([]);
    const kinds = report.files.flatMap((f) => f.documents.filter((d) => d.checked).map((d) => d.kind)).sort();
    expect(kinds).toEqual(['AnalysisTemplate', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'ClusterContextPolicy', 'Rollout']);
  });
});
