// The helm CLI for the chart tests and `render:install`: resolved (HELM_BIN, else built
// once from dev/cluster/helm) by dev/stack/binaries.ts, and serialized across processes,
// since test files run in parallel workers and two cold builds would share one output.
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHelm } from '../stack/binaries.js';
import { runCommand, type CommandResult } from './command.js';
import { cacheDir } from '../stack/paths.js';

const LOCK = join(cacheDir, 'bin', 'helm-build.lock');
/** Longer than any cold build seen (a few minutes): an older lock is a crashed builder's. */
const STALE_LOCK_MS = 20 * 60 * 1000;

let resolved: Promise<string> | undefined;

/** Path of a helm v3 binary; builds it the first time (minutes), then answers at once. */
export function helmBinary(): Promise<string> {
  resolved ??= withLock(resolveHelm);
  return resolved;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(cacheDir, 'bin'), { recursive: true });
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockAgeMs() > STALE_LOCK_MS) rmSync(LOCK, { force: true });
      else await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0; // gone between the two calls: the next attempt takes it
  }
}

export type HelmResult = CommandResult;

/** Runs helm with an isolated home, so a user's repositories and plugins never leak in. */
export async function helm(args: string[], opts: { cwd?: string } = {}): Promise<HelmResult> {
  const home = join(cacheDir, 'helm-home');
  return runCommand(await helmBinary(), args, {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') },
  });
}
