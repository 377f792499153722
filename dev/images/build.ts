// The images the stack's real node runs, built here from files on this machine (no
// registry can be reached): the pod sandbox around the static pause binary, and the
// demo application (the stand-in revision bundled with its dependencies) on the Node
// runtime the project runs on. Archives are cached by a hash of their inputs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { PAUSE_IMAGE } from '../stack/node-config.js';
import { cacheDir, repoRoot } from '../stack/paths.js';
import { step } from '../stack/progress.js';
import { writeOciArchive, type ImageConfig, type WrittenImage } from './oci.js';
import { CONTROLLER_NODE_OPTIONS } from './node-options.js';

export const DEMO_APP_IMAGE = 'docker.io/clairvoyance/demo-app:local';
/** The controller as the chart runs it; the same file set and user as the Dockerfile's image. */
export const CONTROLLER_IMAGE = 'docker.io/clairvoyance/clairvoyance:local';
/** Distroless's numeric non-root user: lets Kubernetes check runAsNonRoot without a passwd file. */
export const NON_ROOT = '65532:65532';

const hashOf = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
};

/** Shared libraries a dynamically linked binary loads, as ldd resolves them on this machine. */
function sharedLibraries(binary: string): string[] {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ldd ${binary} failed: ${result.stderr.trim()}`);
  return result.stdout
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
}

function copyInto(rootfs: string, source: string, target = source): void {
  const dest = join(rootfs, target);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(source, dest);
}

function cached(name: string, contentKey: string, config: ImageConfig, fill: (rootfs: string) => void): WrittenImage {
  const short = name.slice(name.lastIndexOf('/') + 1).replace(/[:]/g, '-');
  // The configuration (entrypoint, env) is part of the image: a change to it is a new image.
  const key = hashOf(Buffer.from(contentKey), Buffer.from(JSON.stringify(config)));
  const archive = join(cacheDir, 'images', `${short}-${key}.tar`);
  const meta = `${archive}.json`;
  if (existsSync(archive) && existsSync(meta)) {
    const image = JSON.parse(readFileSync(meta, 'utf8')) as WrittenImage;
    step('image', `${name} cached (${Math.round(image.size / 2 ** 20)} MiB)`);
    return image;
  }
  step('image', `building ${name}`);
  const rootfs = mkdtempSync(join(tmpdir(), 'clairvoyance-rootfs-'));
  try {
    mkdirSync(join(rootfs, 'tmp'), { mode: 0o1777 });
    fill(rootfs);
    const image = writeOciArchive(rootfs, config, archive);
    writeFileSync(meta, JSON.stringify(image));
    step('image', `${name} built (${Math.round(image.size / 2 ** 20)} MiB)`);
    return image;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

export function pauseImage(pauseBinary: string): WrittenImage {
  const key = hashOf(readFileSync(pauseBinary));
  return cached(PAUSE_IMAGE, key, { name: PAUSE_IMAGE, entrypoint: ['/pause'], user: NON_ROOT }, (rootfs) => copyInto(rootfs, pauseBinary, '/pause'));
}

/** The stand-in app and its npm dependencies in one ESM file. */
async function bundleDemoApp(): Promise<string> {
  const result = await build({
    entryPoints: [join(repoRoot, 'dev', 'stand-in', 'pod-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    write: false,
    logLevel: 'silent',
    // CommonJS dependencies (prom-client) call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __cvRequire } from 'node:module'; const require = __cvRequire(import.meta.url);" },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('bundling dev/stand-in/pod-main.ts produced no output');
  return file.text;
}

export async function demoAppImage(nodeBinary = process.execPath): Promise<WrittenImage> {
  const bundle = await bundleDemoApp();
  const libraries = sharedLibraries(nodeBinary);
  const key = hashOf(bundle, readFileSync(nodeBinary), ...libraries.map((l) => readFileSync(l)));
  return cached(
    DEMO_APP_IMAGE,
    key,
    {
      name: DEMO_APP_IMAGE,
      entrypoint: ['/nodejs/bin/node', '/app/stand-in.mjs'],
      env: ['PATH=/nodejs/bin', 'NODE_ENV=production'],
      user: NON_ROOT,
      workingDir: '/app',
      labels: { 'org.opencontainers.image.title': 'clairvoyance-demo-app' },
    },
    (rootfs) => {
      copyInto(rootfs, nodeBinary, '/nodejs/bin/node');
      for (const lib of libraries) copyInto(rootfs, lib);
      mkdirSync(join(rootfs, 'app'), { recursive: true });
      writeFileSync(join(rootfs, 'app', 'stand-in.mjs'), bundle);
      writeFileSync(join(rootfs, 'app', 'package.json'), '{"type":"module"}\n');
    },
  );
}

function runIn(cwd: string, command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${result.stderr.trim() || result.error?.message || ''}`);
}

/** Every file under a directory, in a stable order, for the cache key. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The controller image: `npm run build`'s dist/, production dependencies installed by
 * `npm ci --omit=dev` from the lockfile (the Dockerfile's deps stage), package.json, and
 * the Node runtime at /nodejs/bin/node, run as 65532 with `run` as the default command.
 */
export function controllerImage(nodeBinary = process.execPath): WrittenImage {
  step('image', 'compiling the controller (npm run build)');
  runIn(repoRoot, 'npm', ['run', 'build', '--silent']);
  const dist = join(repoRoot, 'dist');
  const lock = readFileSync(join(repoRoot, 'package-lock.json'));
  const pkg = readFileSync(join(repoRoot, 'package.json'));
  const libraries = sharedLibraries(nodeBinary);
  const key = hashOf(lock, pkg, readFileSync(nodeBinary), ...filesUnder(dist).flatMap((f) => [f.slice(dist.length), readFileSync(f)]));
  return cached(
    CONTROLLER_IMAGE,
    key,
    {
      name: CONTROLLER_IMAGE,
      entrypoint: ['/nodejs/bin/node', 'dist/cli/main.js'],
      cmd: ['run'],
      env: ['PATH=/nodejs/bin', 'NODE_ENV=production', `NODE_OPTIONS=${CONTROLLER_NODE_OPTIONS}`],
      user: NON_ROOT,
      workingDir: '/app',
      labels: {
        'org.opencontainers.image.title': 'clairvoyance',
        'org.opencontainers.image.description': 'Deployment gate and progressive-rollout controller for Kubernetes',
        'org.opencontainers.image.licenses': 'Apache-2.0',
      },
    },
    (rootfs) => {
      copyInto(rootfs, nodeBinary, '/nodejs/bin/node');
      for (const lib of libraries) copyInto(rootfs, lib);
      const app = join(rootfs, 'app');
      mkdirSync(app, { recursive: true });
      writeFileSync(join(app, 'package.json'), pkg);
      writeFileSync(join(app, 'package-lock.json'), lock);
      // No compiler, test runner or linter reaches the image; no install script runs.
      runIn(app, 'npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
      rmSync(join(app, 'package-lock.json'));
      cpSync(dist, join(app, 'dist'), { recursive: true });
    },
  );
}
