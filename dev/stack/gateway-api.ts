// The Gateway API's CRDs, standard channel, at the release pinned by the
// dev/cluster/gateway-api module: read from that module's directory in the Go module
// cache (downloaded and checked against its go.sum), applied server-side and awaited.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../tools/command.js';
import { goModules, paths } from './paths.js';
import { step } from './progress.js';
import { readState } from './stack.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/**
 * The kinds installed. The first five are what routing needs; Traefik's Gateway provider
 * also watches BackendTLSPolicies and TLSRoutes and never syncs its caches without them.
 * ListenerSets, TCPRoutes and UDPRoutes are left out: nothing here uses them.
 */
export const GATEWAY_API_KINDS = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants', 'backendtlspolicies', 'tlsroutes'] as const;

/** The upgrade guard shipped beside the CRDs: applied too, when the API server takes it. */
const SAFE_UPGRADES_POLICY = `${GATEWAY_API_GROUP}_vap_safeupgrades.yaml`;

export interface GatewayApiRelease {
  version: string;
  /** config/crd/standard of the release, in the module cache. */
  crdDir: string;
}

let release: GatewayApiRelease | undefined;

/** The pinned release's CRD directory, downloading the module the first time. */
export function gatewayApiRelease(): GatewayApiRelease {
  if (release) return release;
  const result = spawnSync('go', ['mod', 'download', '-json', 'sigs.k8s.io/gateway-api'], { cwd: goModules['gateway-api'], encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`go mod download sigs.k8s.io/gateway-api (in ${goModules['gateway-api']}) failed: ${result.stderr || String(result.error)}`);
  }
  const info = JSON.parse(result.stdout) as { Version: string; Dir?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`sigs.k8s.io/gateway-api: ${info.Error ?? 'no directory reported'}`);
  release = { version: info.Version, crdDir: join(info.Dir, 'config', 'crd', 'standard') };
  return release;
}

export interface ClusterAccess {
  kubeconfig: string;
  kubectl: string;
}

/** The local stack's kubeconfig and its version-matched kubectl. */
export function stackAccess(): ClusterAccess {
  const state = readState();
  if (!state) throw new Error(`no local stack (${paths.state} is missing): run \`npm run stack:up\` first`);
  return { kubeconfig: state.kubeconfig, kubectl: state.binaries.kubectl };
}

async function kubectlOrThrow(access: ClusterAccess, args: string[]): Promise<string> {
  const res = await runCommand(access.kubectl, args, { env: { KUBECONFIG: access.kubeconfig } });
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout;
}

/**
 * Installs (or updates) the Gateway API CRDs and waits until each is Established.
 * Idempotent, and safe to call from test files running in parallel: server-side apply
 * under one field manager converges. Server-side, since the HTTPRoute CRD is larger
 * than the annotation a client-side apply would store.
 */
export async function ensureGatewayApiCrds(access: ClusterAccess = stackAccess()): Promise<GatewayApiRelease> {
  const rel = gatewayApiRelease();
  const files = GATEWAY_API_KINDS.map((kind) => join(rel.crdDir, `${GATEWAY_API_GROUP}_${kind}.yaml`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`Gateway API ${rel.version} has no ${missing.join(', ')}`);
  const apply = ['apply', '--server-side', '--force-conflicts', '--field-manager=clairvoyance-dev-stack'];
  await kubectlOrThrow(access, [...apply, ...files.flatMap((f) => ['-f', f])]);
  const crds = GATEWAY_API_KINDS.map((kind) => `crd/${kind}.${GATEWAY_API_GROUP}`);
  await kubectlOrThrow(access, ['wait', '--for=condition=Established', '--timeout=60s', ...crds]);
  const policy = join(rel.crdDir, SAFE_UPGRADES_POLICY);
  if (existsSync(policy)) {
    const res = await runCommand(access.kubectl, [...apply, '-f', policy], { env: { KUBECONFIG: access.kubeconfig } });
    if (res.code !== 0) step('gateway-api', `skipping ${SAFE_UPGRADES_POLICY}: ${res.stderr.trim()}`);
  }
  return rel;
}
