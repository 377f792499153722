// The helm CLI for the chart tests and `render:install`: resolved (HELM_BIN, else built
// once from dev/cluster/helm) by dev/stack/binaries.ts, and serialized across processes,
// since test files run in parallel workers and two cold builds would share one output.
import { join } from 'node:path';
import { resolveHelm } from '../stack/binaries.js';
import { withBuildLock } from '../stack/build-lock.js';
import { runCommand, type CommandResult } from './command.js';
import { cacheDir } from '../stack/paths.js';

let resolved: Promise<string> | undefined;

/** Path of a helm v3 binary; builds it the first time (minutes), then answers at once. */
export function helmBinary(): Promise<string> {
  resolved ??= withBuildLock('helm', resolveHelm);
  return resolved;
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
