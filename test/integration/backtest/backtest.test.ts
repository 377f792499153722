// `clairvoyance backtest` against a real Prometheus holding hours of past history,
// written with Prometheus's own backfill (promtool tsdb create-blocks-from openmetrics).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../controller/fixtures.js';
import { kubectl, useTestNamespace } from '../../support/cluster.js';
import { startPrometheusInstance, type PrometheusInstance } from '../../support/prometheus-instance.js';
import { screenshotPage } from './browser.js';

const MINUTE = 60_000;
const ns = useTestNamespace('backtest');
const dir = mkdtempSync(join(tmpdir(), 'cv-backtest-'));

// History starts six hours ago, minute-aligned, and spans four hours.
const base = Math.floor((Date.now() - 6 * 60 * MINUTE) / MINUTE) * MINUTE;
const INCIDENT = base + 120 * MINUTE;
const WARM_START = base + 30 * MINUTE;
const SCRAPE_MS = 15_000;

/** inc1: healthy at 1% until the incident, then 20%. warm1: a 30% warm-up spike for 2 minutes, then 1%. */
function history(): string {
  const lines = ['# TYPE checkout_error_ratio gauge', '# HELP checkout_error_ratio Share of failed requests.'];
  for (let t = base; t <= base + 240 * MINUTE; t += SCRAPE_MS) lines.push(`checkout_error_ratio{revision="inc1"} ${t >= INCIDENT ? 0.2 : 0.01} ${t / 1000}`);
  for (let t = WARM_START; t <= WARM_START + 30 * MINUTE; t += SCRAPE_MS)
    lines.push(`checkout_error_ratio{revision="warm1"} ${t < WARM_START + 2 * MINUTE ? 0.3 : 0.01} ${t / 1000}`);
  lines.push('# EOF', '');
  return lines.join('\n');
}

interface TemplateOptions {
  threshold: number;
  interval: string;
  failureLimit?: number;
  initialDelay?: string;
}

function templateFile(name: string, o: TemplateOptions): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: clairvoyance.dev/v1alpha1',
      'kind: AnalysisTemplate',
      `metadata: { name: ${name} }`,
      'spec:',
      '  metrics:',
      '    - name: error-ratio',
      `      interval: ${o.interval}`,
      ...(o.initialDelay ? [`      initialDelay: ${o.initialDelay}`] : []),
      `      failureLimit: ${o.failureLimit ?? 0}`,
      `      successCondition: result[0] <= ${o.threshold}`,
      `      failureCondition: result[0] > ${o.threshold}`,
      '      provider:',
      '        prometheus:',
      '          query: max(checkout_error_ratio{revision="{{canary.revision}}"})',
      '',
    ].join('\n'),
  );
  return file;
}

let prom: PrometheusInstance;
const iso = (ms: number): string => new Date(ms).toISOString();

interface ReplayJson {
  phase: string;
  decidedAt: string;
  message?: string;
  firstFailure?: { at: string };
  timeline: { at: string; phase: string }[];
  incident?: { caught: boolean; sentence: string; reason?: string; delayMs?: number };
}

async function backtest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli(['backtest', '--prometheus-url', prom.url, ...args]);
}

beforeAll(async () => {
  prom = await startPrometheusInstance('backtest', { retention: '30d', backfill: history() });
});

afterAll(async () => {
  await prom?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('backtest over backfilled history', () => {
  const strict = () => templateFile('strict', { threshold: 0.05, interval: '1m', failureLimit: 2 });
  const from = base + 60 * MINUTE;
  const to = base + 180 * MINUTE;

  it('catches the incident when the data and the template say it would, and says when', async () => {
    const res = await backtest(['--template', strict(), '--canary', 'inc1', '--from', iso(from), '--to', iso(to), '--incident', iso(INCIDENT), '-o', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as ReplayJson;
    // Measurements every interval from --from; the first at or after the jump fails, and
    // the metric fails once failures exceed failureLimit (2): two intervals later.
    const firstFailing = from + Math.ceil((INCIDENT - from) / MINUTE) * MINUTE;
    const expected = firstFailing + 2 * MINUTE;
    expect(out.phase).toBe('Failed');
    expect(out.firstFailure?.at).toBe(iso(firstFailing));
    expect(out.decidedAt).toBe(iso(expected));
    expect(out.incident?.caught).toBe(true);
    expect(out.incident?.delayMs).toBe(expected - INCIDENT);
    expect(out.incident?.sentence).toContain(`would have failed at T+2m`);
    expect(out.timeline.filter((p) => p.at < iso(INCIDENT)).every((p) => p.phase === 'Successful')).toBe(true);
  });

  it('a looser threshold misses it and says why', async () => {
    const loose = templateFile('loose', { threshold: 0.25, interval: '1m', failureLimit: 2 });
    const res = await backtest(['--template', loose, '--canary', 'inc1', '--from', iso(from), '--to', iso(to), '--incident', iso(INCIDENT)]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Incident: would not have caught it (condition never met');
    expect(res.stdout).not.toContain('Verdict: Failed');
  });

  it('--changes: a warm-up spike is one false alarm without initialDelay and none with it; the loose template misses the incident', async () => {
    const rollout = {
      apiVersion: 'clairvoyance.dev/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: ns.name },
      spec: { replicas: 2, workloadRef: { kind: 'Deployment', name: 'checkout' }, strategy: { canary: { steps: [{ setWeight: 50 }] } } },
    };
    expect((await kubectl(['apply', '-f', '-'], { input: JSON.stringify(rollout) })).code).toBe(0);
    const history = [
      {
        revision: 'warm1',
        stableRevision: 's0',
        canaryStartedAt: iso(WARM_START),
        analysisStartedAt: iso(WARM_START),
        endedAt: iso(WARM_START + 20 * MINUTE),
        outcome: 'Promoted',
        reason: 'Promoted',
        origin: 'ai-generated',
      },
      {
        revision: 'inc1',
        stableRevision: 'warm1',
        canaryStartedAt: iso(INCIDENT - 10 * MINUTE),
        endedAt: iso(INCIDENT + 20 * MINUTE),
        outcome: 'RolledBack',
        reason: 'AnalysisFailed',
        origin: 'human',
      },
    ];
    const patched = await kubectl([
      'patch',
      'rollouts.clairvoyance.dev',
      'checkout',
      '-n',
      ns.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { history } }),
    ]);
    expect(patched.code, patched.stderr).toBe(0);

    const noDelay = templateFile('no-delay', { threshold: 0.05, interval: '30s' });
    const withDelay = templateFile('with-delay', { threshold: 0.05, interval: '30s', initialDelay: '3m' });
    const loose = templateFile('loose-changes', { threshold: 0.25, interval: '30s' });
    const run = async (file: string) => {
      const res = await backtest(['--changes', '--since', '30d', '-n', ns.name, '--template', file, '-o', 'json']);
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout) as {
        promoted: number;
        falseAlarms: number;
        rolledBack: number;
        misses: number;
        rows: { revision: string; classification: string }[];
      };
    };
    const a = await run(noDelay);
    expect([a.promoted, a.falseAlarms, a.rolledBack, a.misses]).toEqual([1, 1, 1, 0]);
    const b = await run(withDelay);
    expect([b.promoted, b.falseAlarms, b.rolledBack, b.misses]).toEqual([1, 0, 1, 0]);
    const c = await run(loose);
    expect(c.rows.find((r) => r.revision === 'inc1')?.classification).toBe('miss');

    const table = await backtest(['--changes', '-n', ns.name, '--template', noDelay]);
    expect(table.stdout).toMatch(/false alarms: 1 of 1 healthy promotions/);
    expect(table.stdout).toMatch(/checkout\s+warm1\s+ai-generated\s+Promoted\s+/);
  });

  it('--html writes a page that loads in headless Chromium without console errors and shows the chart', async () => {
    const page = join(dir, 'incident.html');
    const res = await backtest(['--template', strict(), '--canary', 'inc1', '--from', iso(from), '--to', iso(to), '--incident', iso(INCIDENT), '--html', page]);
    expect(res.code, res.stderr).toBe(0);
    const shot = await screenshotPage(page, join(dir, 'incident.png'));
    expect(shot.consoleErrors).toEqual([]);
    expect(shot.svgCount).toBe(1);
    // Not blank: the chart's lines, points and labels colour a good part of the page.
    expect(shot.nonWhiteShare).toBeGreaterThan(0.02);
    expect(shot.redPixels).toBeGreaterThan(50);
  });

  it('says plainly what is wrong with bad input', async () => {
    const unknown = await backtest(['--template', 'no-such-template', '-n', ns.name, '--canary', 'inc1', '--from', iso(from), '--to', iso(to)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown template "no-such-template"');

    const beyond = await backtest(['--template', strict(), '--canary', 'inc1', '--from', iso(base - 180 * MINUTE), '--to', iso(base - 120 * MINUTE)]);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/holds no data .* between/);
    expect(beyond.stderr).toContain('never turns missing data into a pass');

    const unreachable = await cli([
      'backtest',
      '--prometheus-url',
      'http://127.0.0.1:1',
      '--template',
      strict(),
      '--canary',
      'inc1',
      '--from',
      iso(from),
      '--to',
      iso(to),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach Prometheus at http://127.0.0.1:1');

    const future = await backtest(['--template', strict(), '--canary', 'inc1', '--from', 'now-1h', '--to', 'now+1h']);
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('is in the future');
  });
});
