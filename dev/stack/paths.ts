// Where the local stack keeps its state (per checkout) and its binaries (per user).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Per-checkout runtime state: git-ignored, safe to delete when the stack is down. */
export const stackDir = process.env.CLAIRVOYANCE_STACK_DIR ?? join(repoRoot, '.stack');

/**
 * Built binaries live outside the checkout so every clone (and CI's fresh clone)
 * reuses them; entries are keyed by a hash of the Go module's inputs.
 */
export const cacheDir = process.env.CLAIRVOYANCE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'clairvoyance');

export const paths = {
  env: join(stackDir, 'env'),
  state: join(stackDir, 'state.json'),
  logs: join(stackDir, 'logs'),
  pki: join(stackDir, 'pki'),
  data: join(stackDir, 'data'),
  bin: join(stackDir, 'bin'),
  kubeconfig: join(stackDir, 'kubeconfig'),
  prometheusDir: join(stackDir, 'prometheus'),
  prometheusTargets: join(stackDir, 'prometheus', 'targets'),
  /** The API server's audit log of controller writes (see audit-policy.ts). */
  auditLog: join(stackDir, 'logs', 'audit.log'),
  auditPolicy: join(stackDir, 'audit-policy.yaml'),
  /** One directory per running gateway (Traefik's config, its token, its pid record). */
  gateways: join(stackDir, 'gateways'),
};

export const goModules = {
  kube: join(repoRoot, 'dev', 'cluster', 'kube'),
  kwok: join(repoRoot, 'dev', 'cluster', 'kwok'),
  prometheus: join(repoRoot, 'dev', 'cluster', 'prometheus'),
  helm: join(repoRoot, 'dev', 'cluster', 'helm'),
  pause: join(repoRoot, 'dev', 'cluster', 'pause'),
  traefik: join(repoRoot, 'dev', 'cluster', 'traefik'),
  'gateway-api': join(repoRoot, 'dev', 'cluster', 'gateway-api'),
  'argo-rollouts': join(repoRoot, 'dev', 'cluster', 'argo-rollouts'),
  kyverno: join(repoRoot, 'dev', 'cluster', 'kyverno'),
  vegeta: join(repoRoot, 'dev', 'cluster', 'vegeta'),
};
