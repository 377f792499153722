// The dev stack's Gateway API data plane, on the real node: Traefik programs an
// HTTPRoute whose two backendRefs are the Services of two revisions of the demo app,
// splits requests by the route's weights, applies a weight change within seconds, and
// sends requests that carry a header to the revision a header match names. This is
// what a Gateway API traffic router is proven against.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { REVISION_LABEL } from '../../../src/api/index.js';
import { eventually, kubeConfig, kubectl, useTestNamespace } from '../../support/cluster.js';
import { countRevisions, GATEWAY_API_GROUP, shareOf, TRAEFIK_CONTROLLER_NAME, useGateway, type SplitCount } from '../../support/gateway.js';
import { createDemoApp, requireRealNode } from '../../support/real-node.js';

requireRealNode();
const ns = useTestNamespace('gateway');
const gw = useGateway({ namespace: ns.name });

const STABLE = 'stable';
const CANARY = 'canary';
const ROUTE = 'shop';
const REQUESTS = 2_000;
const TOLERANCE = 0.03;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  observedGeneration?: number;
}

interface RouteStatus {
  metadata: { generation: number };
  status?: { parents?: { parentRef: { name: string; namespace?: string }; controllerName: string; conditions?: Condition[] }[] };
}

/** Two rules: X-Canary: always goes to the canary; everything else is split by weight. */
function httpRoute(stableWeight: number, canaryWeight: number): Record<string, unknown> {
  const { name, namespace } = gw.current().gateway;
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: ROUTE, namespace: ns.name },
    spec: {
      parentRefs: [{ name, namespace }],
      rules: [
        {
          matches: [{ headers: [{ name: 'X-Canary', value: 'always' }] }],
          backendRefs: [{ name: CANARY, port: 80 }],
        },
        {
          backendRefs: [
            { name: STABLE, port: 80, weight: stableWeight },
            { name: CANARY, port: 80, weight: canaryWeight },
          ],
        },
      ],
    },
  };
}

async function readRoute(): Promise<RouteStatus> {
  const res = await kubectl(['get', `httproutes.${GATEWAY_API_GROUP}`, ROUTE, '-n', ns.name, '-o', 'json']);
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as RouteStatus;
}

/** Traefik's conditions on the route for our Gateway, once they are about the route's current generation. */
async function routeConditions(): Promise<Record<string, Condition> | undefined> {
  const route = await readRoute();
  const parent = route.status?.parents?.find((p) => p.parentRef.name === gw.current().gateway.name && p.controllerName === TRAEFIK_CONTROLLER_NAME);
  const current = parent?.conditions?.filter((c) => c.observedGeneration === route.metadata.generation) ?? [];
  if (current.length === 0) return undefined;
  return Object.fromEntries(current.map((c) => [c.type, c]));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const describeCount = (c: SplitCount): string =>
  `${c.sent} requests: ${Object.entries(c.byRevision)
    .map(([rev, n]) => `${rev} ${n}`)
    .join(', ')}; failed ${c.failed}`;

describe('the dev stack gateway (Traefik, Gateway API) on the real node', () => {
  it('accepts an HTTPRoute with two weighted backendRefs and splits 2,000 requests 75/25 within 3 points', { timeout: 240_000 }, async () => {
    await createDemoApp(ns.name, STABLE, 2, {}, {}, { [REVISION_LABEL]: STABLE });
    await createDemoApp(ns.name, CANARY, 2, {}, {}, { [REVISION_LABEL]: CANARY });
    for (const app of [STABLE, CANARY]) {
      const ready = await kubectl(['rollout', 'status', `deployment/${app}`, '-n', ns.name, '--timeout=150s']);
      expect(ready.code, ready.stderr).toBe(0);
    }
    const applied = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(httpRoute(75, 25)) });
    expect(applied.code, applied.stderr).toBe(0);

    const conditions = await eventually('Traefik to report Accepted and ResolvedRefs on the HTTPRoute', async () => {
      const c = await routeConditions();
      return c?.Accepted && c.ResolvedRefs ? c : undefined;
    });
    expect(conditions.Accepted?.status).toBe('True');
    expect(conditions.ResolvedRefs?.status).toBe('True');

    // Status first, data plane next: wait until both revisions answer through the Gateway.
    const url = `${gw.current().url}/`;
    await eventually('both revisions to answer through the Gateway', async () => {
      const c = await countRevisions(url, 40);
      return (c.byRevision[STABLE] ?? 0) > 0 && (c.byRevision[CANARY] ?? 0) > 0 ? c : undefined;
    });
    const split = await countRevisions(url, REQUESTS);
    console.log(`gateway split at weights 75/25: canary ${pct(shareOf(split, CANARY))} of ${describeCount(split)}`);
    expect(split.failed).toBe(0);
    expect(split.byStatus['200']).toBe(REQUESTS);
    expect(Math.abs(shareOf(split, STABLE) - 0.75)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(shareOf(split, CANARY) - 0.25)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('applies a weight change to 95/5 within seconds of the API write, and the new split holds over 2,000 requests', { timeout: 120_000 }, async () => {
    const url = `${gw.current().url}/`;
    const patch = [
      { op: 'replace', path: '/spec/rules/1/backendRefs/0/weight', value: 95 },
      { op: 'replace', path: '/spec/rules/1/backendRefs/1/weight', value: 5 },
    ];
    // Windows of 20 requests sent at once (about one request's time, 25 ms on the demo app):
    // at 75/25 a window holds about 5 canary answers, at 95/5 one. The same detector sees
    // the old split before the write, so what it sees after is the change.
    const sendWindow = (): Promise<SplitCount> => countRevisions(url, 20, { concurrency: 20 });
    const before: number[] = [];
    for (let i = 0; i < 5; i++) before.push((await sendWindow()).byRevision[CANARY] ?? 0);
    expect(Math.min(...before)).toBeGreaterThanOrEqual(3);

    // Through the API directly, so the clock starts when the write is acknowledged.
    const writeStarted = Date.now();
    await kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        { group: GATEWAY_API_GROUP, version: 'v1', namespace: ns.name, plural: 'httproutes', name: ROUTE, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    const writtenAt = Date.now();

    // The first window with at most one canary answer is the first evidence of the new
    // split: the change took effect before that window ended.
    const windows: { startMs: number; endMs: number; canary: number }[] = [];
    const first = await eventually(
      'a window of requests at the 95/5 split',
      async () => {
        const startMs = Date.now() - writtenAt;
        const w = await sendWindow();
        const observed = { startMs, endMs: Date.now() - writtenAt, canary: w.byRevision[CANARY] ?? 0 };
        windows.push(observed);
        return (w.byRevision[STABLE] ?? 0) >= 19 ? observed : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 0 },
    );
    const split = await countRevisions(url, REQUESTS);
    const conditions = await routeConditions();
    console.log(
      `weight change 75/25 -> 95/5 (API write took ${writtenAt - writeStarted} ms): new split first observed in window ${windows.length} ` +
        `of 20 requests, ${first.startMs}-${first.endMs} ms after the write was acknowledged (canary answers per window: ` +
        `before ${before.join(', ')}; after ${windows.map((w) => w.canary).join(', ')}); then canary ${pct(shareOf(split, CANARY))} of ${describeCount(split)}`,
    );
    const applied = first.endMs;
    expect(conditions?.Accepted?.status).toBe('True');
    expect(conditions?.ResolvedRefs?.status).toBe('True');
    expect(split.failed).toBe(0);
    expect(Math.abs(shareOf(split, STABLE) - 0.95)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(shareOf(split, CANARY) - 0.05)).toBeLessThanOrEqual(TOLERANCE);
    expect(applied).toBeLessThan(30_000);
  });

  it('sends every request with X-Canary: always to the canary Service, by the header match', { timeout: 60_000 }, async () => {
    const url = `${gw.current().url}/`;
    const matched = await countRevisions(url, 500, { headers: { 'X-Canary': 'always' } });
    const unmatched = await countRevisions(url, 500, { headers: { 'X-Canary': 'sometimes' } });
    console.log(`header match X-Canary: always -> ${describeCount(matched)}; X-Canary: sometimes -> ${describeCount(unmatched)}`);
    expect(matched.failed).toBe(0);
    expect(matched.byRevision).toEqual({ [CANARY]: 500 });
    // Any other value falls through to the weighted rule.
    expect(Math.abs(shareOf(unmatched, CANARY) - 0.05)).toBeLessThanOrEqual(TOLERANCE);
  });
});
