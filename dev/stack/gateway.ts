// A Gateway API data plane for the dev stack: Traefik, run out of cluster on loopback
// as a ServiceAccount of its own, with its Kubernetes Gateway provider. It programs
// one Gateway; HTTPRoutes attached to it are served at `url`. Backends are reached on
// their pod IPs (Traefik reads EndpointSlices), which the host reaches over the bridge.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCommand } from '../tools/command.js';
import { resolveTraefik } from './binaries.js';
import { withBuildLock } from './build-lock.js';
import { ensureGatewayApiCrds, type ClusterAccess } from './gateway-api.js';
import { gatewayClassName, gatewayObjects, serviceAccountName, traefikStaticConfig, type GatewaySpec } from './gateway-config.js';
import { forgetGateway, gatewayDir, recordGateway } from './gateway-processes.js';
import { isHealthy, waitUntil } from './health.js';
import { paths } from './paths.js';
import { freePort, startDetached, stopProcess, type StartedProcess } from './processes.js';
import { step } from './progress.js';
import { readState } from './stack.js';

export interface GatewayOptions {
  /** Namespace of the Gateway and of Traefik's ServiceAccount; it must exist. */
  namespace: string;
  /** Name of the Gateway object (default `gateway`). */
  name?: string;
  /** How long Traefik may take to program the Gateway once started (default 60 s). */
  timeoutMs?: number;
}

export interface RunningGateway {
  /** Where the Gateway's HTTP listener answers, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** The Gateway object, for an HTTPRoute's parentRefs. */
  gateway: { name: string; namespace: string };
  gatewayClassName: string;
  /** Traefik's log. */
  log: string;
  /** Stops Traefik and deletes everything startGateway created; safe to call twice. */
  stop(): Promise<void>;
}

let binary: Promise<string> | undefined;

/** Traefik's binary: TRAEFIK_BIN, or built once (minutes, cold) under a lock shared by all workers. */
export function traefikBinary(): Promise<string> {
  binary ??= withBuildLock('traefik', resolveTraefik);
  return binary;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  observedGeneration?: number;
}

async function kubectl(access: ClusterAccess, args: string[], input?: string): Promise<string> {
  const res = await runCommand(access.kubectl, args, { env: { KUBECONFIG: access.kubeconfig }, ...(input !== undefined ? { input } : {}) });
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout;
}

const asList = (items: Record<string, unknown>[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** True once Traefik has accepted the Gateway and programmed its listener, for its current spec. */
async function gatewayReady(access: ClusterAccess, spec: GatewaySpec): Promise<boolean> {
  const out = await kubectl(access, ['get', 'gateways.gateway.networking.k8s.io', spec.name, '-n', spec.namespace, '-o', 'json']).catch(() => undefined);
  if (!out) return false;
  const gw = JSON.parse(out) as { metadata: { generation?: number }; status?: { conditions?: Condition[] } };
  const holds = (type: string): boolean =>
    gw.status?.conditions?.some((c) => c.type === type && c.status === 'True' && c.observedGeneration === gw.metadata.generation) ?? false;
  return holds('Accepted') && holds('Programmed');
}

/** Traefik without the KUBECONFIG or in-cluster variables it would prefer to its own configuration. */
function traefikEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) delete env[name];
  return env;
}

/**
 * Starts Traefik against the local stack with a Gateway of its own and waits until the
 * Gateway is Accepted and Programmed. The first call may build Traefik (minutes).
 */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const state = readState();
  if (!state) throw new Error(`no local stack (${paths.state} is missing): run \`npm run stack:up\` first`);
  const access: ClusterAccess = { kubeconfig: state.kubeconfig, kubectl: state.binaries.kubectl };
  const [traefik] = await Promise.all([traefikBinary(), ensureGatewayApiCrds(access)]);

  const spec: GatewaySpec = {
    id: randomBytes(4).toString('hex'),
    name: opts.name ?? 'gateway',
    namespace: opts.namespace,
    port: await freePort(),
    pingPort: await freePort(),
  };
  const component = `gateway ${spec.id}`;
  const dir = gatewayDir(spec.id);
  mkdirSync(dir, { recursive: true });
  const objects = gatewayObjects(spec);
  let proc: StartedProcess | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (proc) await stopProcess(proc);
      await kubectl(access, ['delete', '--ignore-not-found', '--wait=false', '-f', '-'], asList([...objects].reverse()));
      forgetGateway(spec.id);
    })();
    return stopped;
  };

  try {
    step(
      component,
      `creating ServiceAccount ${spec.namespace}/${serviceAccountName(spec)}, its RBAC, GatewayClass ${gatewayClassName(spec)}, Gateway ${spec.name}`,
    );
    await kubectl(access, ['apply', '-f', '-'], asList(objects));
    const token = await kubectl(access, ['create', 'token', serviceAccountName(spec), '-n', spec.namespace, '--duration=24h']);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, token.trim(), { mode: 0o600 });
    const configFile = join(dir, 'traefik.yml');
    const caFile = join(paths.pki, 'ca.crt');
    writeFileSync(configFile, stringify(traefikStaticConfig(spec, { apiserverUrl: state.apiserverUrl, tokenFile, caFile })));

    proc = startDetached(`gateway-${spec.id}`, traefik, [`--configFile=${configFile}`], traefikEnv());
    recordGateway({ id: spec.id, process: proc, ports: [spec.port, spec.pingPort] });
    const started = Date.now();
    await waitUntil(proc, component, 'answering /ping', () => isHealthy(`http://127.0.0.1:${spec.pingPort}/ping`), 30_000);
    await waitUntil(proc, component, 'programming its Gateway (Accepted, Programmed)', () => gatewayReady(access, spec), opts.timeoutMs ?? 60_000);
    step(component, `Gateway ${spec.namespace}/${spec.name} programmed in ${Date.now() - started} ms; serving http://127.0.0.1:${spec.port}`);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${spec.port}`,
    gateway: { name: spec.name, namespace: spec.namespace },
    gatewayClassName: gatewayClassName(spec),
    log: proc.log,
    stop,
  };
}
