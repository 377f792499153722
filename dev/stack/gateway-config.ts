// What one gateway of the dev stack is made of, as data: Traefik's static
// configuration, and the Kubernetes objects its Gateway provider needs (its identity
// and RBAC, a GatewayClass of its own, the Gateway). Pure, so it is easy to read whole.
import { GATEWAY_API_GROUP } from './gateway-api.js';

/** The controller name Traefik's Gateway provider claims GatewayClasses by. */
export const TRAEFIK_CONTROLLER_NAME = 'traefik.io/gateway-controller';

/**
 * Each gateway's GatewayClass carries this label with the gateway's id, and its Traefik
 * selects GatewayClasses by it: several Traefiks can then run against one cluster (test
 * files in parallel), each reconciling only its own class and Gateway.
 */
export const GATEWAY_ID_LABEL = 'clairvoyance.dev/gateway';

/** Entry point names in Traefik's configuration. */
export const WEB_ENTRYPOINT = 'web';
const PING_ENTRYPOINT = 'ping';

export interface GatewaySpec {
  /** Unique per running gateway: names its cluster-scoped objects and its directory. */
  id: string;
  name: string;
  namespace: string;
  /** Loopback port of the `web` entry point; the Gateway's listener must use the same. */
  port: number;
  /** Loopback port of Traefik's /ping, for the readiness check. */
  pingPort: number;
}

export interface TraefikFiles {
  apiserverUrl: string;
  tokenFile: string;
  caFile: string;
}

export const gatewayClassName = (spec: GatewaySpec): string => `clairvoyance-${spec.id}`;
const rbacName = (spec: GatewaySpec): string => `clairvoyance-gateway-${spec.id}`;
export const serviceAccountName = (spec: GatewaySpec): string => `gateway-${spec.id}`;

/** Traefik's static configuration (YAML accepts this JSON as it is). */
export function traefikStaticConfig(spec: GatewaySpec, files: TraefikFiles): Record<string, unknown> {
  return {
    // The machine reaches no public endpoint, and nothing should be sent out anyway.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    // A short grace on shutdown: stop() and `stack:down` should not wait Traefik's default 10 s.
    entryPoints: {
      [WEB_ENTRYPOINT]: { address: `127.0.0.1:${spec.port}`, transport: { lifeCycle: { graceTimeOut: '1s' } } },
      [PING_ENTRYPOINT]: { address: `127.0.0.1:${spec.pingPort}`, transport: { lifeCycle: { graceTimeOut: '1s' } } },
    },
    ping: { entryPoint: PING_ENTRYPOINT },
    providers: {
      // Traefik applies provider changes at most every 2 s by default and reports a
      // route Accepted before it does; tests measure how soon a weight serves, so 100 ms.
      providersThrottleDuration: '100ms',
      kubernetesGateway: {
        // Out of cluster, as the ServiceAccount: endpoint, token and CA are given explicitly
        // (Traefik prefers KUBECONFIG or in-cluster settings when it finds them in its
        // environment; the gateway starts it without them).
        endpoint: files.apiserverUrl,
        token: files.tokenFile,
        certAuthFilePath: files.caFile,
        labelSelector: `${GATEWAY_ID_LABEL}=${spec.id}`,
        // Traefik listens on loopback: that is the address clients use.
        statusAddress: { ip: '127.0.0.1' },
      },
    },
    // To stdout, which the gateway sends to .stack/logs/gateway-<id>.log.
    log: { level: 'INFO', noColor: true },
  };
}

/**
 * The permissions of Traefik's kubernetesGateway provider, from Traefik's reference
 * (docs/content/reference/dynamic-configuration/kubernetes-gateway-rbac.yml in v3.7),
 * without `get pods`, which only its OpenTelemetry attributes need.
 */
export function gatewayClusterRole(spec: GatewaySpec): Record<string, unknown> {
  const kinds = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes', 'referencegrants', 'backendtlspolicies'];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: rbacName(spec), labels: { [GATEWAY_ID_LABEL]: spec.id } },
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: [GATEWAY_API_GROUP], resources: kinds, verbs: ['get', 'list', 'watch'] },
      { apiGroups: [GATEWAY_API_GROUP], resources: kinds.map((k) => `${k}/status`), verbs: ['update'] },
    ],
  };
}

/** Everything the gateway creates in the cluster, in creation order (delete in reverse). */
export function gatewayObjects(spec: GatewaySpec): Record<string, unknown>[] {
  const labels = { [GATEWAY_ID_LABEL]: spec.id };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccountName(spec), namespace: spec.namespace, labels } },
    gatewayClusterRole(spec),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: rbacName(spec), labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName(spec) },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccountName(spec), namespace: spec.namespace }],
    },
    {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: gatewayClassName(spec), labels },
      spec: { controllerName: TRAEFIK_CONTROLLER_NAME },
    },
    {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: {
        gatewayClassName: gatewayClassName(spec),
        // Traefik binds a listener to the entry point with the same port.
        listeners: [{ name: WEB_ENTRYPOINT, port: spec.port, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }],
      },
    },
  ];
}
