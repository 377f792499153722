// Helpers for the flag integration tests: the stand-in app as a real process
// (one per revision, as a pod would be), a file sync that plays the kubelet's
// ConfigMap volume, and request driving.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CoreV1Api } from '@kubernetes/client-node';

export interface StandInProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dirname, '../../../dev/stand-in/flag-app-main.ts');

/** Starts `dev/stand-in/flag-app-main.ts` with tsx and waits for the line that says where it listens. */
export async function startStandInProcess(args: { flagsFile: string; revision: string; flagKey?: string }): Promise<StandInProcess> {
  const argv = ['--import', 'tsx', MAIN, '--flags', args.flagsFile, '--revision', args.revision];
  if (args.flagKey) argv.push('--key', args.flagKey);
  const child: ChildProcess = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`stand-in did not start: ${stderr}`)), 30_000).unref();
  });
  const { url, port } = JSON.parse(first) as { url: string; port: number };
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A temp directory holding the "mounted" flag file. */
export function flagFile(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cv-flags-'));
  return { path: join(dir, 'flags.flagd.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the ConfigMap's data key to `path` atomically, as a kubelet volume update does. */
export async function syncConfigMap(api: CoreV1Api, ref: { namespace: string; name: string; key: string }, path: string): Promise<string> {
  const cm = await api.readNamespacedConfigMap({ name: ref.name, namespace: ref.namespace });
  const text = cm.data?.[ref.key] ?? '';
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return text;
}

/** Sends `n` requests with random targeting keys, `concurrency` at a time; returns variants seen. */
export async function drive(url: string, n: number, concurrency = 32): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const res = await fetch(url);
      const body = (await res.json()) as { variant?: string };
      const v = body.variant ?? '(default)';
      seen[v] = (seen[v] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return seen;
}
