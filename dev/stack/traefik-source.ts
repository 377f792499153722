// Traefik as published cannot be built from the Go module proxy that serves this
// project: its ACME code imports lego's registry of DNS-01 providers, and thirteen of
// those providers import SDKs the proxy does not serve; its digest-auth middleware
// calls a method that only the containous fork of go-http-auth has, and the fork is not
// served either. So the build runs in a prepared directory (like a distribution's
// package build): a copy of dev/cluster/traefik, plus copies of the Traefik and lego
// modules from the module cache, checked against pinned sums, with the small patches
// below applied. No third-party source is kept in the repository; the patches are
// scripted here, each with its reason, and fail loudly if upstream's text moves.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, goModules } from './paths.js';
import { step } from './progress.js';

export const TRAEFIK_VERSION = 'v3.7.13';

interface PatchedModule {
  path: string;
  version: string;
  /** The module zip's hash (go.sum's h1:), since a directory replace is not checked against go.sum. */
  sum: string;
  /** Where the wrapper's go.mod replaces it, relative to the build directory. */
  dir: string;
  apply(root: string): void;
}

/**
 * lego's DNS-01 providers whose SDK modules the proxy here does not serve (HTTP 403 on
 * their zips), with those modules. They are left out of the registry; asking Traefik
 * for one of them fails with a message that says why. DNS-01 with every other provider,
 * and the HTTP-01 and TLS-ALPN-01 challenges, are untouched.
 */
export const UNSERVED_DNS_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  alidns: ['github.com/go-acme/alidns-20150109/v5'],
  aliesa: ['github.com/go-acme/esa-20240910/v3'],
  azion: ['github.com/aziontech/azionapi-go-sdk'],
  dnsimple: ['github.com/dnsimple/dnsimple-go/v9'],
  edgedns: ['github.com/akamai/AkamaiOPEN-edgegrid-golang/v13'],
  edgeone: ['github.com/go-acme/tencentedgdeone'],
  huaweicloud: ['github.com/huaweicloud/huaweicloud-sdk-go-v3'],
  oraclecloud: ['github.com/nrdcg/oci-go-sdk/common/v1065', 'github.com/nrdcg/oci-go-sdk/dns/v1065'],
  regfish: ['github.com/regfish/regfish-dnsapi-go'],
  sakuracloud: ['github.com/sacloud/sacloud-sdk-go'],
  tencentcloud: ['github.com/go-acme/tencentclouddnspod'],
  ucloud: ['github.com/ucloud/ucloud-sdk-go'],
  yandexcloud: ['github.com/yandex-cloud/go-sdk/services/dns'],
};

const LEGO_REGISTRY = 'providers/dns/zz_gen_dns_providers.go';

/** Replaces `from` exactly once, or fails: a patch that silently misses is worse than none. */
function replaceOnce(text: string, from: string, to: string, where: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + from.length) >= 0) {
    throw new Error(`patch no longer applies to ${where}: expected exactly one occurrence of ${JSON.stringify(from)}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** What Traefik answers for an unserved provider (a Go format: %q is the provider's name). */
const UNSERVED_PROVIDER_ERROR = 'DNS provider %q is not in this Traefik build: its SDK (%SDK%) is not served by the Go module proxy it was built from';

/** lego's generated registry without the unserved providers: no import, and a clear error by name. */
export function patchDnsRegistry(source: string): string {
  let text = source;
  for (const [provider, modules] of Object.entries(UNSERVED_DNS_PROVIDERS)) {
    text = replaceOnce(text, `\t"github.com/go-acme/lego/v5/providers/dns/${provider}"\n`, '', LEGO_REGISTRY);
    const why = UNSERVED_PROVIDER_ERROR.replace('%SDK%', modules.join(', '));
    text = replaceOnce(text, `return ${provider}.NewDNSProvider()`, `return nil, fmt.Errorf(${JSON.stringify(why)}, name)`, LEGO_REGISTRY);
  }
  return text;
}

const DIGEST_AUTH = 'pkg/middlewares/auth/digest_auth.go';

/**
 * Traefik's digest-auth middleware answers a request whose nonce count is out of order
 * with RequireAuthStale, which only the containous fork of go-http-auth defines (with a
 * CheckAuth that reports "stale"). Upstream's CheckAuth never reports "stale", so with
 * upstream that branch cannot be reached; calling RequireAuth there keeps the build
 * honest about it: such a client is challenged afresh, without stale=true.
 */
const DIGEST_STALE_CALL = ['d.auth.RequireAuthStale(rw, req)', 'd.auth.RequireAuth(rw, req)'] as const;

export function patchDigestAuth(source: string): string {
  return replaceOnce(source, ...DIGEST_STALE_CALL, DIGEST_AUTH);
}

function editFile(root: string, file: string, patch: (text: string) => string): void {
  const path = join(root, file);
  writeFileSync(path, patch(readFileSync(path, 'utf8')));
}

export const PATCHED_MODULES: readonly PatchedModule[] = [
  {
    path: 'github.com/traefik/traefik/v3',
    version: TRAEFIK_VERSION,
    sum: 'h1:T8wy9KuaFzCkmXCqAzDy7t73pBDR1DHrJe3pqXpNXTw=',
    dir: 'patched/traefik',
    apply: (root) => editFile(root, DIGEST_AUTH, patchDigestAuth),
  },
  {
    path: 'github.com/go-acme/lego/v5',
    version: 'v5.4.1',
    sum: 'h1:Jt6xAP9xQrJ3SLLGgxejfDDd3pzdrmuLCWe4oTqHHQc=',
    dir: 'patched/lego',
    apply: (root) => {
      editFile(root, LEGO_REGISTRY, patchDnsRegistry);
      // Their requirements go too, so the module graph names nothing that cannot be fetched.
      const drops = Object.values(UNSERVED_DNS_PROVIDERS)
        .flat()
        .map((m) => `-droprequire=${m}`);
      goOrThrow(['mod', 'edit', ...drops], root);
    },
  },
];

/**
 * What the patches are, as data, for the build's cache key: a change to what is patched
 * is a new binary; an edit to this file's comments or layout is not. A change to how a
 * patch is applied must bump PATCH_REVISION.
 */
const PATCH_REVISION = 1;

export function patchFingerprint(): string {
  return JSON.stringify({
    revision: PATCH_REVISION,
    modules: PATCHED_MODULES.map((m) => [m.path, m.version, m.sum, m.dir]),
    providers: UNSERVED_DNS_PROVIDERS,
    edits: [UNSERVED_PROVIDER_ERROR, DIGEST_STALE_CALL],
  });
}

function goOrThrow(args: string[], cwd: string): string {
  const result = spawnSync('go', args, { cwd, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (result.error || result.status !== 0) throw new Error(`go ${args.join(' ')} (in ${cwd}) failed: ${result.stderr || String(result.error)}`);
  return result.stdout;
}

/** The module's directory in the module cache (downloading it if needed), after checking its sum. */
function moduleCacheDir(mod: PatchedModule, cwd: string): string {
  const info = JSON.parse(goOrThrow(['mod', 'download', '-json', `${mod.path}@${mod.version}`], cwd)) as { Dir?: string; Sum?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`downloading ${mod.path}@${mod.version}: ${info.Error ?? 'no directory reported'}`);
  if (info.Sum !== mod.sum)
    throw new Error(`${mod.path}@${mod.version} has sum ${info.Sum}, expected ${mod.sum}: refusing to patch a module that is not the pinned one`);
  return info.Dir;
}

/** The module cache is read-only; the copy must be writable to patch it and to delete it. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else chmodSync(path, (statSync(path).mode & 0o777) | 0o200);
  }
}

/** The replaces of the wrapper's go.mod that point into the prepared directory. */
function preparedReplaces(): Map<string, string> {
  const mod = JSON.parse(goOrThrow(['mod', 'edit', '-json'], goModules.traefik)) as { Replace?: { Old: { Path: string }; New: { Path: string } }[] };
  return new Map((mod.Replace ?? []).filter((r) => r.New.Path.startsWith('./patched/')).map((r) => [r.Old.Path, r.New.Path.slice(2)]));
}

/** Lays out the build directory for `key` and returns it; the caller builds there, then removes it. */
export function prepareTraefikSource(key: string): string {
  const dir = join(cacheDir, 'src', `traefik-${key}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const replaces = preparedReplaces();
  for (const mod of PATCHED_MODULES) {
    if (replaces.get(mod.path) !== mod.dir) throw new Error(`dev/cluster/traefik/go.mod must replace ${mod.path} => ./${mod.dir} (the patched copy)`);
    step('traefik', `preparing ${mod.path}@${mod.version}: copy from the module cache, patch (dev/stack/traefik-source.ts)`);
    // Downloads run in the empty directory: outside any module, so no go.mod is consulted.
    const from = moduleCacheDir(mod, dir);
    const to = join(dir, mod.dir);
    cpSync(from, to, { recursive: true });
    makeWritable(to);
    mod.apply(to);
  }
  copyWrapper(goModules.traefik, dir);
  return dir;
}

function copyWrapper(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(from, join(entry.parentPath, entry.name));
    mkdirSync(join(to, rel, '..'), { recursive: true });
    copyFileSync(join(from, rel), join(to, rel));
  }
}

/**
 * `npx tsx dev/stack/traefik-source.ts tidy`: prepares a directory, runs `go mod tidy`
 * there and copies go.mod and go.sum back, the only way to tidy a module whose
 * replaces point at prepared copies.
 */
function tidy(): void {
  const dir = prepareTraefikSource('tidy');
  goOrThrow(['mod', 'tidy'], dir);
  for (const file of ['go.mod', 'go.sum']) copyFileSync(join(dir, file), join(goModules.traefik, file));
  rmSync(dir, { recursive: true, force: true });
  step('traefik', `tidied ${goModules.traefik}/go.mod and go.sum`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'tidy') tidy();
  else {
    process.stderr.write('usage: tsx dev/stack/traefik-source.ts tidy\n');
    process.exitCode = 2;
  }
}
