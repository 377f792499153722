// What the core wants of a traffic router and how it judges what the router reports.
// With traffic.gatewayAPI the weight is a route's, not a pod count's: pods are decided
// apart (setCanaryScale), and a weight counts only once the Gateway accepted the route.
import type { CanaryStep, HeaderMatch, RolloutSpec } from '../api/index.js';
import { canaryReplicaCount } from './replica-split.js';

export interface HeaderRoute {
  name: string;
  headers: HeaderMatch[];
}

/** The traffic the router should put in place. */
export interface TrafficTarget {
  /** Revision the stable Service selects. */
  stableRevision: string;
  /** Revision the canary Service selects. */
  canaryRevision: string;
  /** 0-100: the canary backends' share in every managed rule. */
  canaryWeight: number;
  headerRoutes: HeaderRoute[];
}

/** How far a Gateway has taken one route. */
export type RouteAcceptance = 'Accepted' | 'Pending' | 'NotAccepted';

/** One HTTPRoute as the router read it. */
export interface RouteView {
  name: string;
  /** Why the route cannot carry the canary (missing, not wired to the app's Services, unreadable). */
  problem?: string;
  /** The canary backends' share (0-100) in each rule that serves the app, as the route says now. */
  canaryWeights: number[];
  /** Names of the header routes the route carries now. */
  headerRoutes: string[];
  /** Every parent Gateway's verdict on the route's current generation. */
  acceptance: RouteAcceptance;
  /** The Gateway's condition message when not accepted, or what is pending. */
  message?: string;
}

export interface ServiceView {
  name: string;
  /** Why the Service cannot be used (its base Service is missing, say). */
  problem?: string;
  /** Revision label value the Service selects; undefined when it is missing or selects none. */
  revision?: string;
  readyEndpoints: number;
}

/** What the router reports before the plan is made. */
export interface TrafficView {
  routes: RouteView[];
  stable: ServiceView;
  canary: ServiceView;
}

export type TrafficProgress =
  | { state: 'applied' }
  | { state: 'pending'; message: string }
  /** The route cannot carry the canary until someone fixes it: the rollout pauses. */
  | { state: 'blocked'; reason: 'RouteNotAccepted' | 'TrafficMisconfigured'; message: string };

export function usesGateway(spec: Pick<RolloutSpec, 'strategy'>): boolean {
  return spec.strategy.canary.traffic.gatewayAPI !== undefined;
}

/** Header routes in effect at step `index`: every setHeaderRoute at or before it, by name, the last one winning. */
export function headerRoutesAt(steps: readonly CanaryStep[], index: number): HeaderRoute[] {
  const byName = new Map<string, HeaderRoute>();
  for (const step of steps.slice(0, Math.min(index, steps.length - 1) + 1)) {
    const route = step.setHeaderRoute;
    if (!route) continue;
    if (route.headers.length === 0) byName.delete(route.name);
    else byName.set(route.name, { name: route.name, headers: route.headers });
  }
  return [...byName.values()];
}

/**
 * Canary pods at step `index`: the last setCanaryScale at or before it, else the weight's
 * share of replicas. Never zero while the canary takes traffic or a header route points at it.
 */
export function canaryScaleAt(steps: readonly CanaryStep[], index: number, replicas: number, weight: number): number {
  let scale = canaryReplicaCount(replicas, weight);
  for (const step of steps.slice(0, Math.min(index, steps.length - 1) + 1)) {
    const s = step.setCanaryScale;
    if (!s) continue;
    if (s.replicas !== undefined) scale = s.replicas;
    else if (s.percent !== undefined) scale = Math.ceil((replicas * s.percent) / 100);
    else scale = -1;
  }
  if (scale < 0) scale = canaryReplicaCount(replicas, weight);
  const needsPods = weight > 0 || headerRoutesAt(steps, index).length > 0;
  return needsPods ? Math.max(1, scale) : scale;
}

/** Whether the router has put `want` in place and every Gateway accepted it. */
export function trafficProgress(view: TrafficView | undefined, want: TrafficTarget): TrafficProgress {
  if (!view) return { state: 'pending', message: 'traffic routes not read yet' };
  const unusable = [
    ...[view.stable, view.canary].filter((s) => s.problem !== undefined).map((s) => `Service ${s.name}: ${s.problem}`),
    ...view.routes.filter((r) => r.problem !== undefined).map((r) => `HTTPRoute ${r.name}: ${r.problem}`),
  ];
  if (unusable.length > 0) return { state: 'blocked', reason: 'TrafficMisconfigured', message: unusable.join('; ') };
  if (view.stable.revision !== want.stableRevision || view.canary.revision !== want.canaryRevision)
    return { state: 'pending', message: `waiting for the stable and canary Services to select revisions ${want.stableRevision} and ${want.canaryRevision}` };
  const canaryTakesTraffic = want.canaryWeight > 0 || want.headerRoutes.length > 0;
  if (canaryTakesTraffic && view.canary.readyEndpoints === 0 && want.canaryRevision !== want.stableRevision)
    return { state: 'pending', message: 'waiting for the canary Service to list a ready endpoint' };
  const wantHeaders = want.headerRoutes.map((h) => h.name).sort();
  for (const route of view.routes) {
    const headers = [...route.headerRoutes].sort();
    if (route.canaryWeights.some((w) => w !== want.canaryWeight) || headers.join(',') !== wantHeaders.join(','))
      return {
        state: 'pending',
        message: `HTTPRoute ${route.name} is at canary weight ${route.canaryWeights.join('/')}${headers.length ? ` with header routes ${headers.join(', ')}` : ''}; setting ${want.canaryWeight}`,
      };
  }
  const rejected = view.routes.filter((r) => r.acceptance === 'NotAccepted');
  if (rejected.length > 0)
    return {
      state: 'blocked',
      reason: 'RouteNotAccepted',
      message: rejected.map((r) => `HTTPRoute ${r.name} not accepted: ${r.message ?? 'no reason given'}`).join('; '),
    };
  const pending = view.routes.find((r) => r.acceptance === 'Pending');
  if (pending)
    return { state: 'pending', message: `waiting for the Gateway to accept HTTPRoute ${pending.name}${pending.message ? `: ${pending.message}` : ''}` };
  return { state: 'applied' };
}

/** No route sends the canary anything any more (or none can be read): its pods may go. */
export function trafficDrained(view: TrafficView | undefined): boolean {
  return (view?.routes ?? []).every((r) => r.problem !== undefined || (r.canaryWeights.every((w) => w === 0) && r.headerRoutes.length === 0));
}

/** A route still sends the canary more than `weight` and `headerRoutes` would: its pods must stay. */
export function routedBeyond(view: TrafficView | undefined, weight: number, headerRoutes: readonly HeaderRoute[]): boolean {
  const wanted = new Set(headerRoutes.map((h) => h.name));
  return (view?.routes ?? [])
    .filter((r) => r.problem === undefined)
    .some((r) => r.canaryWeights.some((w) => w > weight) || r.headerRoutes.some((h) => !wanted.has(h)));
}

/** Revisions the routes still send traffic to, through the Services as they select now. */
export function routedRevisions(view: TrafficView | undefined): Set<string> {
  const out = new Set<string>();
  if (!view) return out;
  const live = view.routes.filter((r) => r.problem === undefined);
  if (view.canary.revision && !trafficDrained(view)) out.add(view.canary.revision);
  if (view.stable.revision && live.some((r) => r.canaryWeights.some((w) => w < 100))) out.add(view.stable.revision);
  return out;
}
