// Stand-in processes for a revision's pods (dev/stand-in), registered as
// Prometheus scrape targets labelled with the revision's hash, as a pod's
// labels would be through Kubernetes service discovery.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Behaviour, BehaviourPatch } from './behaviour.js';
import { paths } from '../stack/paths.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SERVER = resolve(root, 'dev/stand-in/server.ts');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export interface StandInSpec {
  /** Pod-template hash of the revision; becomes the `revision` label on every series. */
  revision: string;
  /** Kubernetes namespace of the Rollout; becomes the `namespace` label. */
  namespace?: string;
  errorRate?: number;
  latencyMs?: number;
  latencySigma?: number;
  /** Families to export; default all. `[]` emits no telemetry at all. */
  telemetry?: ('requests' | 'logs' | 'traces')[];
  rps?: number;
  seed?: number;
  /** Target directories to register in; default the stack Prometheus's. */
  targetDirs?: string[];
  /** Extra target labels. */
  labels?: Record<string, string>;
}

export interface StandInProcess {
  revision: string;
  url: string;
  port: number;
  pid: number;
  /** Changes the behaviour at run time; resolves to the new behaviour. */
  control(patch: BehaviourPatch): Promise<Behaviour>;
  /** Deregisters the scrape target, then stops the process. Idempotent. */
  stop(): Promise<void>;
}

function writeTarget(dir: string, name: string, target: string, labels: Record<string, string>): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify([{ targets: [target], labels }]));
  // Rename is atomic, so Prometheus never reads a half-written file.
  renameSync(tmp, file);
  return () => rmSync(file, { force: true });
}

function waitForStartLine(child: ChildProcess): Promise<{ url: string; port: number; pid: number }> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`stand-in did not start within ${START_TIMEOUT_MS} ms:\n${out}${err}`)), START_TIMEOUT_MS);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      reject(e);
    };
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(line) as { url: string; port: number; pid: number });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.once('exit', (code) => fail(new Error(`stand-in exited (${code}) before starting:\n${out}${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts one stand-in process and registers it as a scrape target. */
export async function startStandIn(spec: StandInSpec): Promise<StandInProcess> {
  const args = ['--import', 'tsx', SERVER, '--revision', spec.revision, '--exit-with-stdin'];
  if (spec.errorRate !== undefined) args.push('--error-rate', String(spec.errorRate));
  if (spec.latencyMs !== undefined) args.push('--latency-ms', String(spec.latencyMs));
  if (spec.latencySigma !== undefined) args.push('--latency-sigma', String(spec.latencySigma));
  if (spec.telemetry !== undefined) args.push('--telemetry', spec.telemetry.length ? spec.telemetry.join(',') : 'none');
  if (spec.rps !== undefined) args.push('--rps', String(spec.rps));
  if (spec.seed !== undefined) args.push('--seed', String(spec.seed));
  // stdin stays a pipe: if this test process dies, the pipe closes and the stand-in exits.
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let started;
  try {
    started = await waitForStartLine(child);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const labels: Record<string, string> = {
    job: 'stand-in',
    revision: spec.revision,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...spec.labels,
  };
  const name = `stand-in-${spec.namespace ?? 'default'}-${spec.revision}-${started.port}`;
  const removers = (spec.targetDirs ?? [paths.prometheusTargets]).map((dir) => writeTarget(dir, name, `127.0.0.1:${started.port}`, labels));

  let stopping: Promise<void> | undefined;
  return {
    revision: spec.revision,
    url: started.url,
    port: started.port,
    pid: started.pid,
    async control(patch) {
      const res = await fetch(`${started.url}/control`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(patch) });
      const body = (await res.json()) as Behaviour & { error?: string };
      if (!res.ok) throw new Error(`stand-in ${spec.revision} control failed: ${body.error ?? res.status}`);
      return body;
    },
    stop() {
      stopping ??= (async () => {
        for (const remove of removers) remove();
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited(child);
        clearTimeout(timer);
        child.stdin?.destroy();
      })();
      return stopping;
    },
  };
}
