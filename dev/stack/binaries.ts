// Resolves each stack binary: a path the user brings (env vars, KUBEBUILDER_ASSETS,
// a suitable Prometheus on PATH) wins; otherwise the pinned Go module is built once
// and cached under a key derived from its inputs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tail } from './logs.js';
import { realNodeWanted } from './node-config.js';
import { cacheDir, goModules, paths } from './paths.js';
import { StackError, step } from './progress.js';
import { patchFingerprint, prepareTraefikSource, TRAEFIK_VERSION } from './traefik-source.js';

export type BinaryName =
  'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet' | 'kube-proxy' | 'kubectl' | 'kwok' | 'prometheus' | 'pause';

export type Binaries = Record<BinaryName, string>;

const KUBE_VERSION = 'v1.34.4';

/** One env var per binary; KUBEBUILDER_ASSETS covers the ones setup-envtest ships. */
const ENV_VARS: Record<BinaryName, string> = {
  etcd: 'ETCD_BIN',
  'kube-apiserver': 'KUBE_APISERVER_BIN',
  'kube-controller-manager': 'KUBE_CONTROLLER_MANAGER_BIN',
  'kube-scheduler': 'KUBE_SCHEDULER_BIN',
  kubelet: 'KUBELET_BIN',
  'kube-proxy': 'KUBE_PROXY_BIN',
  kubectl: 'KUBECTL_BIN',
  kwok: 'KWOK_BIN',
  prometheus: 'PROMETHEUS_BIN',
  pause: 'PAUSE_BIN',
};
const KUBEBUILDER_ASSET_NAMES: ReadonlySet<BinaryName> = new Set(['etcd', 'kube-apiserver', 'kubectl']);

interface GoTarget {
  module: keyof typeof goModules;
  /** Package to build, relative to the module (or an import path of a dependency). */
  pkg: string;
  output: string;
  ldflags: string;
  provides: BinaryName[];
  firstBuildHint: string;
  /** Extra environment for the go command (a module that needs a newer toolchain). */
  env?: Record<string, string>;
}

const kubeLdflags = [
  '-s -w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((p) => [
    `-X ${p}.gitVersion=${KUBE_VERSION}`,
    `-X ${p}.gitMajor=1`,
    `-X ${p}.gitMinor=34`,
    `-X ${p}.gitTreeState=clean`,
  ]),
].join(' ');

const TARGETS: GoTarget[] = [
  {
    module: 'kube',
    pkg: '.',
    output: 'kube',
    ldflags: kubeLdflags,
    provides: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'],
    firstBuildHint: 'about 7 min and 2.2 GiB of memory on 2 cores',
  },
  {
    module: 'kwok',
    pkg: 'sigs.k8s.io/kwok/cmd/kwok',
    output: 'kwok',
    ldflags: '-s -w',
    provides: ['kwok'],
    firstBuildHint: 'about 1.5 min',
  },
  {
    // The pod sandbox's process: static, so the image needs nothing but this file.
    module: 'pause',
    pkg: '.',
    output: 'pause',
    ldflags: '-s -w',
    provides: ['pause'],
    firstBuildHint: 'seconds',
  },
  {
    module: 'prometheus',
    pkg: 'github.com/prometheus/prometheus/cmd/prometheus',
    output: 'prometheus',
    ldflags: '-s -w',
    provides: ['prometheus'],
    firstBuildHint: 'about 5 min and 3.9 GiB of memory on 2 cores',
  },
];

const HELM_VERSION = 'v3.22.0';

/**
 * helm is not part of the stack: only the chart tests and `render:install` need it, so
 * it is built on demand by resolveHelm() and never by resolveBinaries(). The ldflags are
 * upstream's Makefile's (version, and the Kubernetes version of its client-go, 1.37).
 */
const HELM_TARGET: GoTarget = {
  module: 'helm',
  pkg: 'helm.sh/helm/v3/cmd/helm',
  output: 'helm',
  ldflags: [
    '-s -w',
    `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
    '-X helm.sh/helm/v3/internal/version.metadata=',
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['helm.sh/helm/v3/pkg/lint/rules', 'helm.sh/helm/v3/pkg/chartutil'].flatMap((p) => [`-X ${p}.k8sVersionMajor=1`, `-X ${p}.k8sVersionMinor=37`]),
  ].join(' '),
  provides: [],
  firstBuildHint: 'about 3.5 min on 2 cores',
};

/**
 * Traefik, the Gateway API data plane of dev/stack/gateway.ts: like helm, built only on
 * demand by resolveTraefik(), when a test starts a gateway. It builds from a prepared,
 * patched copy of its sources (dev/stack/traefik-source.ts). The ldflags are upstream's
 * Makefile's, without the build date (kept out so the binary depends on its inputs only).
 */
const TRAEFIK_TARGET: GoTarget = {
  module: 'traefik',
  pkg: 'github.com/traefik/traefik/v3/cmd/traefik',
  output: 'traefik',
  ldflags: [
    '-s -w',
    `-X github.com/traefik/traefik/v3/pkg/version.Version=${TRAEFIK_VERSION}`,
    '-X github.com/traefik/traefik/v3/pkg/version.Codename=cheddar',
  ].join(' '),
  provides: [],
  firstBuildHint: 'about 14 min and 3 GiB of memory on 2 cores, about 1 min with a warm Go build cache',
};

function userProvided(name: BinaryName): string | undefined {
  const explicit = process.env[ENV_VARS[name]];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${ENV_VARS[name]}=${explicit} does not exist; unset it or point it at the ${name} binary`);
    return explicit;
  }
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && KUBEBUILDER_ASSET_NAMES.has(name)) {
    const candidate = join(assets, name);
    if (existsSync(candidate)) return candidate;
  }
  // Debian's build leaves out Kubernetes service discovery, which the real node's pods need.
  if (name === 'prometheus') return realNodeWanted() ? undefined : prometheusOnPath();
  return undefined;
}

/** Debian's package (2.42) is good enough: the stack needs >= 2.40 for its APIs. */
function prometheusOnPath(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status !== 0 || !found) return undefined;
  const version = spawnSync(found, ['--version'], { encoding: 'utf8' });
  const match = /version (\d+)\.(\d+)/.exec(`${version.stdout}${version.stderr}`);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 40) ? found : undefined;
}

function goVersion(env: Record<string, string> = {}): string {
  const result = spawnSync('go', ['version'], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error || result.status !== 0) {
    throw new Error('Go is required to build the local stack (https://go.dev/doc/install), or set the *_BIN variables listed in the README');
  }
  return result.stdout.trim();
}

/**
 * Hash of everything that determines the binary: the module's files (its nested ones
 * too, such as Traefik's ext module), the toolchain, the flags, and `extra` inputs
 * from outside the module (the patches applied to a prepared source).
 */
export function cacheKey(target: GoTarget, toolchain: string, extra = ''): string {
  const dir = goModules[target.module];
  const hash = createHash('sha256');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(go|mod|sum)$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(join(dir, file)));
  hash.update(toolchain).update(target.pkg).update(target.ldflags);
  if (extra) hash.update(extra);
  return hash.digest('hex').slice(0, 16);
}

/** A target built from a directory prepared for it rather than from its module in place. */
interface PreparedSource {
  /** Inputs beyond the module's files, for the cache key. */
  fingerprint: string;
  /** Lays out the build directory for a key and returns it; removed after a good build. */
  prepare(key: string): string;
}

async function build(target: GoTarget, toolchain: string, source?: PreparedSource): Promise<string> {
  const key = cacheKey(target, toolchain, source?.fingerprint);
  const dir = join(cacheDir, 'bin', `${target.module}-${key}`);
  const binary = join(dir, target.output);
  if (existsSync(binary)) {
    step(target.output, `cached (${dir})`);
    return binary;
  }
  mkdirSync(dir, { recursive: true });
  mkdirSync(paths.logs, { recursive: true });
  const log = join(paths.logs, `build-${target.module}.log`);
  const partial = `${binary}.partial`;
  const args = ['build', '-v', '-trimpath', '-ldflags', target.ldflags, '-o', partial, target.pkg];
  const cwd = source ? source.prepare(key) : goModules[target.module];
  const envPrefix = Object.entries(target.env ?? {})
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const command = `(cd ${cwd} && ${envPrefix}CGO_ENABLED=0 go ${args.join(' ')})`;
  step(target.output, `building from pinned Go modules (first build: ${target.firstBuildHint}); log: ${log}`);
  const started = Date.now();
  const out = createWriteStream(log);
  let packages = 0;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('go', args, {
      cwd,
      env: { ...process.env, ...target.env, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `go build -v` prints one line per package compiled: a cheap progress measure.
    const count = (chunk: Buffer): void => {
      out.write(chunk);
      packages += chunk
        .toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('go: downloading')).length;
    };
    child.stdout.on('data', count);
    child.stderr.on('data', count);
    const heartbeat = setInterval(() => {
      step(target.output, `still building: ${Math.round((Date.now() - started) / 1000)}s, ${packages} packages compiled`);
    }, 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(heartbeat);
      resolve(status ?? 1);
    });
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (code !== 0) {
    rmSync(partial, { force: true });
    throw new StackError(target.output, command, `go build exited with ${code}`, tail(log));
  }
  renameSync(partial, binary);
  // A failed build keeps its prepared directory, for a look at what was compiled.
  if (source) rmSync(cwd, { recursive: true, force: true });
  const mib = Math.round(statSync(binary).size / 2 ** 20);
  step(target.output, `built in ${Math.round((Date.now() - started) / 1000)}s (${mib} MiB)`);
  return binary;
}

/** Returns a path for every binary, building (once) whatever the user did not bring. */
export async function resolveBinaries(): Promise<Binaries> {
  const resolved: Partial<Binaries> = {};
  for (const name of Object.keys(ENV_VARS) as BinaryName[]) {
    const provided = userProvided(name);
    if (provided) {
      resolved[name] = provided;
      step(name, `using ${provided}`);
    }
  }
  let toolchain: string | undefined;
  for (const target of TARGETS) {
    const missing = target.provides.filter((name) => !resolved[name]);
    if (missing.length === 0) continue;
    toolchain ??= goVersion();
    const binary = await build(target, toolchain);
    for (const name of missing) resolved[name] = multiCallLink(binary, name, target);
  }
  return resolved as Binaries;
}

/** The kube binary picks its component from argv[0]; a symlink per name makes that work. */
function multiCallLink(binary: string, name: BinaryName, target: GoTarget): string {
  if (target.provides.length === 1) return binary;
  const link = join(binary, '..', name);
  if (!existsSync(link)) {
    try {
      symlinkSync(target.output, link);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return link;
}

/** The helm CLI: HELM_BIN when set, else built once from dev/cluster/helm and cached. */
export async function resolveHelm(): Promise<string> {
  return onDemand(HELM_TARGET, 'HELM_BIN');
}

/** Traefik: TRAEFIK_BIN when set, else built once from dev/cluster/traefik (patched sources) and cached. */
export async function resolveTraefik(): Promise<string> {
  return onDemand(TRAEFIK_TARGET, 'TRAEFIK_BIN', { fingerprint: patchFingerprint(), prepare: prepareTraefikSource });
}

const ARGO_ROLLOUTS_VERSION = 'v1.10.2';
const KYVERNO_VERSION = 'v1.19.1';

/**
 * Peers for the side-by-side benchmarks, built on demand by the benchmarks that need
 * them and never by resolveBinaries() or `npm test`. Argo Rollouts v1.10.2's go.mod asks
 * for go 1.26.10, so its build (and its cache key) use the approved go1.27.3 toolchain,
 * which the go command fetches from the module proxy the first time.
 */
const ARGO_ROLLOUTS_TARGET: GoTarget = {
  module: 'argo-rollouts',
  pkg: 'github.com/argoproj/argo-rollouts/cmd/rollouts-controller',
  output: 'rollouts-controller',
  ldflags: [
    '-s -w',
    `-X github.com/argoproj/argo-rollouts/utils/version.version=${ARGO_ROLLOUTS_VERSION.slice(1)}`,
    '-X github.com/argoproj/argo-rollouts/utils/version.gitTreeState=clean',
  ].join(' '),
  provides: [],
  firstBuildHint: 'about 9.5 min and 1.4 GiB of memory on 2 cores, with its own toolchain',
  env: { GOTOOLCHAIN: 'go1.27.3' },
};

const KYVERNO_TARGET: GoTarget = {
  module: 'kyverno',
  pkg: 'github.com/kyverno/kyverno/cmd/kyverno',
  output: 'kyverno',
  ldflags: `-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=${KYVERNO_VERSION}`,
  provides: [],
  firstBuildHint: 'about 7.5 min and 2.3 GiB of memory on 2 cores',
};

/** The admission benchmark's load generator (evenly paced open loop), built on demand. */
const VEGETA_TARGET: GoTarget = {
  module: 'vegeta',
  pkg: 'github.com/tsenart/vegeta/v12',
  output: 'vegeta',
  ldflags: '-s -w',
  provides: [],
  firstBuildHint: 'about 30 s on 2 cores',
};

/** Argo Rollouts' controller: ARGO_ROLLOUTS_BIN when set, else built once from dev/cluster/argo-rollouts. */
export async function resolveArgoRollouts(): Promise<string> {
  return onDemand(ARGO_ROLLOUTS_TARGET, 'ARGO_ROLLOUTS_BIN');
}

/** vegeta: VEGETA_BIN when set, else built once from dev/cluster/vegeta. */
export async function resolveVegeta(): Promise<string> {
  return onDemand(VEGETA_TARGET, 'VEGETA_BIN');
}

/** Kyverno's admission controller: KYVERNO_BIN when set, else built once from dev/cluster/kyverno. */
export async function resolveKyverno(): Promise<string> {
  return onDemand(KYVERNO_TARGET, 'KYVERNO_BIN');
}

/** A binary the stack does not start: the one the env var names, else built once from its module and cached. */
async function onDemand(target: GoTarget, envVar: string, source?: PreparedSource): Promise<string> {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${envVar}=${explicit} does not exist; unset it or point it at the ${target.output} binary`);
    return explicit;
  }
  return build(target, goVersion(target.env), source);
}

/** The module directory a peer's CRDs and manifests come from (its pinned version in the module cache). */
export function peerModuleDir(peer: 'argo-rollouts' | 'kyverno'): string {
  const path = peer === 'argo-rollouts' ? 'github.com/argoproj/argo-rollouts' : 'github.com/kyverno/kyverno';
  const target = peer === 'argo-rollouts' ? ARGO_ROLLOUTS_TARGET : KYVERNO_TARGET;
  const result = spawnSync('go', ['mod', 'download', '-json', path], {
    cwd: goModules[peer],
    encoding: 'utf8',
    env: { ...process.env, ...target.env },
  });
  const dir = result.status === 0 ? (JSON.parse(result.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new Error(`could not locate ${path} in the module cache: ${result.stderr.trim() || result.stdout.trim()}`);
  return dir;
}
