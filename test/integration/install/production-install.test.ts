// The image's production install without a Docker engine: the same steps as the
// Dockerfile's deps and runtime stages, in a temporary folder, then the CLI starts from it.
// This proves dist/ needs nothing from devDependencies.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../dev/stack/paths.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let app = '';
// A production-like environment: no dev tools on the module path, NODE_ENV as in the image.
const productionEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' });

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'clairvoyance-image-'));
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot, f), join(app, f));
  const install = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], app);
  if (install.code !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
  // Compiled into the temporary folder, so the shared dist/ is never touched (nor stale).
  const tsc = await run(
    process.execPath,
    [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(app, 'dist')],
    repoRoot,
  );
  if (tsc.code !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
}, 300_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('production install (the image without Docker)', () => {
  it('holds no devDependencies', () => {
    for (const dev of ['typescript', 'vitest', 'eslint', 'tsx', 'fast-check']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    for (const dep of ['@kubernetes/client-node', 'prom-client', 'pino', 'zod']) expect(existsSync(join(app, 'node_modules', dep)), dep).toBe(true);
  });

  it('starts `clairvoyance run --help` with every flag the chart passes', async () => {
    const res = await run(process.execPath, ['dist/cli/main.js', 'run', '--help'], app, productionEnv());
    expect(res.code, res.stderr).toBe(0);
    for (const flag of [
      '--metrics-port',
      '--health-port',
      '--workers',
      '--log-level',
      '--leader-election-namespace',
      '--lease-name',
      '--no-leader-elect',
      '--webhook-port',
      '--webhook-service',
      '--webhook-configuration-name',
      '--controller-namespace',
      '--no-webhook',
      '--namespace',
      '--prometheus-url',
      '--signal-discovery-grace',
    ]) {
      expect(res.stdout).toContain(flag);
    }
  });

  it('reports the package version', async () => {
    const res = await run(process.execPath, ['dist/cli/main.js', '--version'], app, productionEnv());
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('0.1.0');
  });
});
