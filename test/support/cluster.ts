// What integration tests need from the cluster under test: the local stack by
// default, or any cluster through E2E_KUBECONFIG (kind, for example).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { paths } from '../../dev/stack/paths.js';
import { runCommand, type CommandResult } from '../../dev/tools/command.js';
import type { StackState } from '../../dev/stack/stack.js';

function stackState(): StackState | undefined {
  return existsSync(paths.state) ? (JSON.parse(readFileSync(paths.state, 'utf8')) as StackState) : undefined;
}

export function kubeconfigPath(): string {
  const path = process.env.E2E_KUBECONFIG ?? stackState()?.kubeconfig;
  if (!path) throw new Error('no cluster: run `npm run stack:up` or set E2E_KUBECONFIG');
  return path;
}

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/**
 * True only against another cluster (E2E_KUBECONFIG) given no PROMETHEUS_URL: the one case
 * where Prometheus-backed tests are skipped. On the local stack they always run (and fail
 * when its Prometheus is missing), so CI cannot go green without it.
 */
export function externalClusterWithoutPrometheus(): boolean {
  return !!process.env.E2E_KUBECONFIG && !process.env.PROMETHEUS_URL;
}

/** The Prometheus that scrapes `.stack/prometheus/targets/`, or PROMETHEUS_URL on other clusters. */
export function prometheusUrl(): string | undefined {
  return process.env.E2E_KUBECONFIG ? process.env.PROMETHEUS_URL : stackState()?.prometheusUrl;
}

function kubectlBinary(): string {
  return process.env.KUBECTL_BIN ?? stackState()?.binaries.kubectl ?? 'kubectl';
}

export type { CommandResult };

export function kubectl(args: string[], opts: { input?: string } = {}): Promise<CommandResult> {
  return runCommand(kubectlBinary(), args, { env: { KUBECONFIG: kubeconfigPath() }, ...(opts.input !== undefined ? { input: opts.input } : {}) });
}

export const TEST_NAMESPACE_LABEL = 'clairvoyance.dev/test';

/**
 * Gives a test file its own namespace: created before its tests, deleted after.
 * Call at the top level of the file.
 */
export function useTestNamespace(prefix: string): { name: string } {
  const ns = { name: `${prefix}-${randomBytes(3).toString('hex')}` };
  beforeAll(async () => {
    const api = kubeConfig().makeApiClient(CoreV1Api);
    await api.createNamespace({ body: { metadata: { name: ns.name, labels: { [TEST_NAMESPACE_LABEL]: 'true' } } } });
  });
  afterAll(async () => {
    const api = kubeConfig().makeApiClient(CoreV1Api);
    await api.deleteNamespace({ name: ns.name }).catch(() => undefined);
  });
  return ns;
}

/**
 * Adds a Prometheus file-SD target group; Prometheus picks it up within seconds.
 * Returns a function that removes it.
 */
export function addScrapeTarget(name: string, targets: string[], labels: Record<string, string> = {}): () => void {
  mkdirSync(paths.prometheusTargets, { recursive: true });
  const file = join(paths.prometheusTargets, `${name}.json`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify([{ targets, labels }]));
  // Rename is atomic, so Prometheus never reads a half-written file.
  renameSync(tmp, file);
  return () => rmSync(file, { force: true });
}

/** Polls until `probe` returns a value other than undefined, or fails with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
