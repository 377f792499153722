import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptanceOf, desiredRules, routeView, sameRules, type HttpRoute, type RouteRule } from '../../../src/traffic/gateway-api/http-route.js';
import type { TrafficTarget } from '../../../src/rollout/traffic.js';

const services = { base: 'app', stable: 'app-stable', canary: 'app-canary' };

function route(rules: RouteRule[], status?: HttpRoute['status'], generation = 3): HttpRoute {
  return { metadata: { name: 'web', generation }, spec: { parentRefs: [{ name: 'gw' }], rules }, ...(status ? { status } : {}) };
}

const accepted = (generation = 3): HttpRoute['status'] => ({
  parents: [
    {
      controllerName: 'traefik.io/gateway-controller',
      conditions: [
        { type: 'Accepted', status: 'True', observedGeneration: generation },
        { type: 'ResolvedRefs', status: 'True', observedGeneration: generation },
      ],
    },
  ],
});

const target = (canaryWeight: number, headerRoutes: TrafficTarget['headerRoutes'] = []): TrafficTarget => ({
  stableRevision: 's',
  canaryRevision: 'c',
  canaryWeight,
  headerRoutes,
});

const appRule: RouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'app', port: 80 }] };
const otherRule: RouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ name: 'docs', port: 80 }] };

describe('desiredRules', () => {
  it("takes over the app's backendRef with stable and canary at the target weights, leaving other rules alone", () => {
    const rules = desiredRules([appRule, otherRule], services, target(25));
    expect(rules[1]).toEqual(otherRule);
    expect(rules[0]?.backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'app-stable', port: 80, weight: 75 },
      { group: '', kind: 'Service', name: 'app-canary', port: 80, weight: 25 },
    ]);
    expect(rules[0]?.matches).toEqual(appRule.matches);
  });

  it("adds a header rule with the app rule's matches plus the headers, to the canary alone, and drops it when the target has none", () => {
    const withHeader = desiredRules([appRule], services, target(0, [{ name: 'testers', headers: [{ name: 'X-Canary', value: 'always', type: 'Exact' }] }]));
    const header = withHeader.find((r) => r.name === 'clairvoyance-testers');
    expect(header?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'X-Canary', type: 'Exact', value: 'always' }] }]);
    expect(header?.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'app-canary', port: 80, weight: 1 }]);
    const without = desiredRules(withHeader, services, target(0));
    expect(without.some((r) => r.name?.startsWith('clairvoyance-'))).toBe(false);
    expect(routeView(route(withHeader), services).headerRoutes).toEqual(['testers']);
  });

  it('keeps backends of other Services in a managed rule', () => {
    const mixed: RouteRule = {
      backendRefs: [
        { name: 'app', port: 80 },
        { name: 'mirror', port: 80, weight: 5 },
      ],
    };
    const refs = desiredRules([mixed], services, target(10))[0]?.backendRefs ?? [];
    expect(refs.find((b) => b.name === 'mirror')).toEqual({ name: 'mirror', port: 80, weight: 5 });
  });

  it('is idempotent, and routeView reads back the weight it wrote (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.boolean(), (weight, header) => {
        const t = target(weight, header ? [{ name: 'h', headers: [{ name: 'X-H', value: 'v', type: 'Exact' }] }] : []);
        const once = desiredRules([appRule, otherRule], services, t);
        const twice = desiredRules(once, services, t);
        expect(sameRules(once, twice)).toBe(true);
        const view = routeView(route(once, accepted()), services);
        expect(view.canaryWeights).toEqual([weight]);
        expect(view.headerRoutes).toEqual(header ? ['h'] : []);
      }),
    );
  });
});

describe('routeView', () => {
  it('names the problem when no rule serves the app', () => {
    expect(routeView(route([otherRule]), services).problem).toMatch(/no rule has a backendRef to Service app, app-stable or app-canary/);
  });

  it('names the problem when the route is attached to no Gateway', () => {
    const r = route([appRule]);
    r.spec.parentRefs = [];
    expect(routeView(r, services).problem).toMatch(/no parentRefs/);
  });

  it('reads an unconverted rule (only the app Service) as canary weight 0', () => {
    expect(routeView(route([appRule], accepted()), services).canaryWeights).toEqual([0]);
  });
});

describe('acceptanceOf', () => {
  it('is Accepted only when every parent accepted the current generation and resolved its refs', () => {
    expect(acceptanceOf(route([appRule], accepted(3), 3)).acceptance).toBe('Accepted');
    expect(acceptanceOf(route([appRule], accepted(2), 3)).acceptance).toBe('Pending');
    expect(acceptanceOf(route([appRule], undefined, 3)).acceptance).toBe('Pending');
  });

  it("is NotAccepted with the Gateway's reason and message", () => {
    const status: HttpRoute['status'] = {
      parents: [
        {
          conditions: [
            { type: 'Accepted', status: 'True', observedGeneration: 3 },
            { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'service app-canary not found', observedGeneration: 3 },
          ],
        },
      ],
    };
    const verdict = acceptanceOf(route([appRule], status));
    expect(verdict.acceptance).toBe('NotAccepted');
    expect(verdict.message).toBe('ResolvedRefs=False (BackendNotFound): service app-canary not found');
  });
});
