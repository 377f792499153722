// The Gateway API router: weights and header routes on the user's HTTPRoutes, between
// a stable and a canary Service it keeps on their revisions. Routes are written by
// server-side apply under one field manager, so a GitOps tool owning the rest of the
// route (parentRefs, hostnames) keeps it. A write the API server refuses is remembered
// and reported by verify(), so the rollout pauses with the reason instead of retrying blind.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { REVISION_LABEL, canaryServiceName, stableServiceName, type GatewayAPITraffic } from '../../api/index.js';
import { statusCodeOf, statusMessageOf } from '../../kube/errors.js';
import type { KubeConfigLike } from '../../kube/rest.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { CORE_SERVICES, DISCOVERY_ENDPOINTSLICES, type ResourceRef } from '../../kube/resource.js';
import type { ControllerMetrics } from '../../telemetry/metrics.js';
import type { RouteView, ServiceView, TrafficTarget, TrafficView } from '../../rollout/traffic.js';
import type { RouterTarget, TrafficRouter } from '../router.js';
import { desiredRules, httpRouteSchema, routeView, sameRules, type HttpRoute, type RouteServices } from './http-route.js';
import { revisionService, selectedRevision } from './revision-services.js';

export const ROUTE_FIELD_MANAGER = 'clairvoyance-traffic';
const HTTP_ROUTES: ResourceRef = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The calls the router makes; an interface so tests can inject faults around the real clients. */
export interface GatewayRouterClients {
  services: Pick<ResourceClient<V1Service>, 'find' | 'create' | 'patch'>;
  endpointSlices: Pick<ResourceClient<V1EndpointSlice>, 'list'>;
  /** Read as plain JSON and checked by httpRouteSchema. */
  httpRoutes: Pick<ResourceClient<object>, 'find' | 'patch'>;
}

export function gatewayRouterClients(kc: KubeConfigLike): GatewayRouterClients {
  return {
    services: ResourceClient.of<V1Service>(kc, CORE_SERVICES),
    endpointSlices: ResourceClient.of<V1EndpointSlice>(kc, DISCOVERY_ENDPOINTSLICES),
    httpRoutes: ResourceClient.of<object>(kc, HTTP_ROUTES),
  };
}

function gatewayOf(target: RouterTarget): GatewayAPITraffic {
  const g = target.spec.strategy.canary.traffic.gatewayAPI;
  if (!g) throw new Error('the Gateway API router needs spec.strategy.canary.traffic.gatewayAPI');
  return g;
}

function servicesOf(g: GatewayAPITraffic): RouteServices {
  return { base: g.service, stable: stableServiceName(g), canary: canaryServiceName(g) };
}

/** A client error from the API server: the request itself is wrong and retrying it unchanged cannot help. */
function isRefused(err: unknown): boolean {
  const code = statusCodeOf(err);
  return code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429;
}

export class GatewayApiRouter implements TrafficRouter {
  /** The last refused write per route or Service (namespace/kind/name), until one succeeds. */
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly clients: GatewayRouterClients,
    private readonly metrics?: ControllerMetrics,
  ) {}

  async verify(target: RouterTarget): Promise<TrafficView> {
    const g = gatewayOf(target);
    const services = servicesOf(g);
    const ns = target.rollout.namespace;
    const [base, stable, canary] = await Promise.all([services.base, services.stable, services.canary].map((name) => this.readService(ns, name)));
    const [stableView, canaryView] = [
      this.serviceView(ns, services.stable, stable, base, services.base),
      this.serviceView(ns, services.canary, canary, base, services.base),
    ];
    if (canary) canaryView.readyEndpoints = await this.readyEndpoints(ns, services.canary);
    const routes = await Promise.all(g.httpRoutes.map((r) => this.routeView(ns, r.name, services)));
    return { routes, stable: stableView, canary: canaryView };
  }

  async apply(target: RouterTarget, desired: TrafficTarget): Promise<void> {
    const g = gatewayOf(target);
    const services = servicesOf(g);
    const ns = target.rollout.namespace;
    const base = await this.readService(ns, services.base);
    for (const [name, revision] of [
      [services.stable, desired.stableRevision],
      [services.canary, desired.canaryRevision],
    ] as const) {
      target.signal?.throwIfAborted();
      await this.ensureService(target, name, revision, base);
    }
    for (const ref of g.httpRoutes) {
      target.signal?.throwIfAborted();
      const route = await this.readRoute(ns, ref.name);
      if (!route) continue;
      const rules = desiredRules(route.spec.rules ?? [], services, desired);
      if (sameRules(rules, route.spec.rules ?? [])) continue;
      await this.guarded(`${ns}/HTTPRoute/${ref.name}`, async () => {
        this.metrics?.apiWrites.inc({ verb: 'apply', resource: 'httproutes' });
        await this.clients.httpRoutes.patch(
          ns,
          ref.name,
          { apiVersion: `${HTTP_ROUTES.group}/${HTTP_ROUTES.version}`, kind: 'HTTPRoute', metadata: { name: ref.name, namespace: ns }, spec: { rules } },
          'apply',
          { query: { fieldManager: ROUTE_FIELD_MANAGER, force: true } },
        );
      });
    }
  }

  private async ensureService(target: RouterTarget, name: string, revision: string, base: V1Service | undefined): Promise<void> {
    const ns = target.rollout.namespace;
    const existing = await this.readService(ns, name);
    if (existing && selectedRevision(existing) === revision) return;
    await this.guarded(`${ns}/Service/${name}`, async () => {
      if (existing) {
        this.metrics?.apiWrites.inc({ verb: 'patch', resource: 'services' });
        await this.clients.services.patch(ns, name, { spec: { selector: { [REVISION_LABEL]: revision } } });
      } else if (base) {
        this.metrics?.apiWrites.inc({ verb: 'create', resource: 'services' });
        await this.clients.services.create(ns, revisionService(base, name, revision, target.rollout));
      }
    });
  }

  /** Runs a write; a refusal is remembered for verify() instead of failing the reconcile forever. */
  private async guarded(key: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
      this.refused.delete(key);
    } catch (err) {
      if (!isRefused(err)) throw err;
      this.refused.set(key, statusMessageOf(err));
    }
  }

  private serviceView(ns: string, name: string, service: V1Service | undefined, base: V1Service | undefined, baseName: string): ServiceView {
    const view: ServiceView = { name, readyEndpoints: 0 };
    const revision = selectedRevision(service);
    if (revision !== undefined) view.revision = revision;
    const refused = this.refused.get(`${ns}/Service/${name}`);
    if (refused) view.problem = `the controller's last write was refused: ${refused}`;
    else if (!service && !base) view.problem = `neither it nor Service ${baseName}, whose ports and selector it would copy, exists in ${ns}`;
    return view;
  }

  private async routeView(ns: string, name: string, services: RouteServices): Promise<RouteView> {
    const empty: RouteView = { name, canaryWeights: [], headerRoutes: [], acceptance: 'Pending' };
    let route: HttpRoute | undefined;
    try {
      route = await this.readRoute(ns, name);
    } catch (err) {
      return { ...empty, problem: `cannot be read: ${statusMessageOf(err)}` };
    }
    if (!route) return { ...empty, problem: `not found in ${ns} (the Gateway API CRDs must be installed and the route created)` };
    const view = routeView(route, services);
    const refused = this.refused.get(`${ns}/HTTPRoute/${name}`);
    return refused ? { ...view, problem: `the controller's last write was refused: ${refused}` } : view;
  }

  private async readRoute(ns: string, name: string): Promise<HttpRoute | undefined> {
    const raw = await this.clients.httpRoutes.find(ns, name);
    if (raw === undefined) return undefined;
    const parsed = httpRouteSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`HTTPRoute ${ns}/${name} has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  private async readService(ns: string, name: string): Promise<V1Service | undefined> {
    return this.clients.services.find(ns, name);
  }

  private async readyEndpoints(ns: string, service: string): Promise<number> {
    const slices = await this.clients.endpointSlices.list(ns, { query: { labelSelector: `${SERVICE_NAME_LABEL}=${service}` } });
    return slices.items.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length, 0);
  }
}
