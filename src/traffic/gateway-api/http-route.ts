// Reading and rewriting an HTTPRoute's rules, without I/O. The route is parsed once
// into the few fields the router reads; everything else in a rule (filters, timeouts,
// fields of newer Gateway API versions) passes through untouched.
import { z } from 'zod';
import type { HeaderRoute, RouteAcceptance, RouteView, TrafficTarget } from '../../rollout/traffic.js';

/** Rules the controller adds for header routes carry this name prefix; every other rule is the user's. */
export const HEADER_RULE_PREFIX = 'clairvoyance-';

const backendRefSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
  port: z.number().optional(),
  weight: z.number().optional(),
});
export type BackendRef = z.infer<typeof backendRefSchema>;

const headerMatchSchema = z.looseObject({ name: z.string(), value: z.string(), type: z.string().optional() });
const matchSchema = z.looseObject({ headers: z.array(headerMatchSchema).optional() });
const ruleSchema = z.looseObject({
  name: z.string().optional(),
  matches: z.array(matchSchema).optional(),
  filters: z.array(z.unknown()).optional(),
  backendRefs: z.array(backendRefSchema).optional(),
});
export type RouteRule = z.infer<typeof ruleSchema>;

const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  observedGeneration: z.number().optional(),
});

export const httpRouteSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), generation: z.number().optional() }),
  spec: z.looseObject({
    parentRefs: z.array(z.unknown()).optional(),
    rules: z.array(ruleSchema).optional(),
  }),
  status: z
    .looseObject({
      parents: z.array(z.looseObject({ controllerName: z.string().optional(), conditions: z.array(conditionSchema).optional() })).optional(),
    })
    .optional(),
});
export type HttpRoute = z.infer<typeof httpRouteSchema>;

/** The Services a route's managed backendRefs may name. */
export interface RouteServices {
  /** The app's Service: a rule that names only it is taken over on the first write. */
  base: string;
  stable: string;
  canary: string;
}

function isServiceRef(ref: BackendRef, namespace?: string): boolean {
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' && (ref.namespace === undefined || ref.namespace === namespace);
}

function managedRef(ref: BackendRef, services: RouteServices): boolean {
  return isServiceRef(ref) && (ref.name === services.base || ref.name === services.stable || ref.name === services.canary);
}

function isHeaderRule(rule: RouteRule): boolean {
  return rule.name?.startsWith(HEADER_RULE_PREFIX) ?? false;
}

/** The user's rules that send traffic to the app. */
function managedRules(rules: readonly RouteRule[], services: RouteServices): RouteRule[] {
  return rules.filter((r) => !isHeaderRule(r) && (r.backendRefs ?? []).some((b) => managedRef(b, services)));
}

/** The canary's share (0-100) of a rule's managed backends; weight defaults to 1 as in Gateway API. */
function canaryShare(rule: RouteRule, services: RouteServices): number {
  let canary = 0;
  let total = 0;
  for (const ref of rule.backendRefs ?? []) {
    if (!managedRef(ref, services)) continue;
    const weight = ref.weight ?? 1;
    total += weight;
    if (ref.name === services.canary) canary += weight;
  }
  return total === 0 ? 0 : Math.round((100 * canary) / total);
}

/** Every parent's Accepted and ResolvedRefs conditions, for the route's current generation. */
export function acceptanceOf(route: HttpRoute): { acceptance: RouteAcceptance; message?: string } {
  const generation = route.metadata.generation;
  const parents = route.status?.parents ?? [];
  if (parents.length === 0) return { acceptance: 'Pending', message: 'no Gateway has reported on the route yet' };
  for (const parent of parents) {
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = (parent.conditions ?? []).find((x) => x.type === type);
      const current = c !== undefined && (generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation);
      if (!current) return { acceptance: 'Pending', message: `${type} not yet reported for generation ${generation ?? '?'}` };
      if (c.status !== 'True') return { acceptance: 'NotAccepted', message: `${type}=${c.status} (${c.reason ?? 'no reason'}): ${c.message ?? ''}`.trim() };
    }
  }
  return { acceptance: 'Accepted' };
}

/** What the core needs to know of a route. */
export function routeView(route: HttpRoute, services: RouteServices): RouteView {
  const name = route.metadata.name;
  const rules = route.spec.rules ?? [];
  const managed = managedRules(rules, services);
  const headerRoutes = rules.filter(isHeaderRule).map((r) => headerRouteName(r.name ?? ''));
  const view: RouteView = {
    name,
    canaryWeights: managed.map((r) => canaryShare(r, services)),
    headerRoutes: [...new Set(headerRoutes)],
    acceptance: 'Pending',
  };
  if ((route.spec.parentRefs ?? []).length === 0) return { ...view, problem: 'it has no parentRefs: attach it to a Gateway' };
  if (managed.length === 0)
    return {
      ...view,
      problem: `no rule has a backendRef to Service ${services.base}, ${services.stable} or ${services.canary}: point the rule that serves the app at one of them`,
    };
  return { ...view, ...acceptanceOf(route) };
}

function headerRuleName(route: string, index: number, count: number): string {
  return `${HEADER_RULE_PREFIX}${route}${count > 1 ? `-${index}` : ''}`;
}

function headerRouteName(ruleName: string): string {
  return ruleName.slice(HEADER_RULE_PREFIX.length).replace(/-\d+$/, '');
}

/** Gateway API's defaults written out, so the rules compare equal to what the API server stores. */
function backend(template: BackendRef, name: string, weight: number): BackendRef {
  return { ...template, group: '', kind: 'Service', name, weight };
}

/**
 * The rules that put `target` in place: each managed rule's app backends become the stable
 * and canary Services at the target weights (other backends stay), and each header route
 * becomes a rule of the managed rule's matches plus its headers, to the canary alone.
 */
export function desiredRules(rules: readonly RouteRule[], services: RouteServices, target: TrafficTarget): RouteRule[] {
  const userRules = rules.filter((r) => !isHeaderRule(r));
  const managed = managedRules(userRules, services);
  const out: RouteRule[] = [];
  for (const header of target.headerRoutes) out.push(...headerRules(header, managed, services));
  for (const rule of userRules) {
    if (!managed.includes(rule)) {
      out.push(rule);
      continue;
    }
    const refs = rule.backendRefs ?? [];
    const template = refs.find((b) => managedRef(b, services)) ?? { name: services.stable };
    const { weight: _weight, ...rest } = template;
    out.push({
      ...rule,
      backendRefs: [
        ...refs.filter((b) => !managedRef(b, services)),
        backend(rest, services.stable, 100 - target.canaryWeight),
        backend(rest, services.canary, target.canaryWeight),
      ],
    });
  }
  return out;
}

function headerRules(header: HeaderRoute, managed: readonly RouteRule[], services: RouteServices): RouteRule[] {
  return managed.map((rule, i) => {
    const template = (rule.backendRefs ?? []).find((b) => managedRef(b, services)) ?? { name: services.canary };
    const { weight: _weight, ...rest } = template;
    const matches = rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
    const out: RouteRule = {
      name: headerRuleName(header.name, i, managed.length),
      matches: matches.map((m) => ({
        ...m,
        headers: [...(m.headers ?? []), ...header.headers.map((h) => ({ name: h.name, type: h.type, value: h.value }))],
      })),
      backendRefs: [backend(rest, services.canary, 1)],
    };
    if (rule.filters) out.filters = rule.filters;
    return out;
  });
}

/** Order-insensitive comparison of two JSON values' object keys: tells whether a write would change anything. */
export function sameRules(a: readonly RouteRule[], b: readonly RouteRule[]): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v,
  );
}
