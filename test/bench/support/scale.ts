// What the scale benchmarks share: progress lines, a bounded pool of API calls, a process's
// memory and CPU from /proc, and waiting for every Rollout of a namespace to reach a state.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { AppsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { kubeConfig } from '../../support/cluster.js';

export const log = (msg: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]!.toFixed(2)}] ${msg}`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T>(items: T[], fn: (item: T) => Promise<void>, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** VmRSS and VmHWM count every resident page; RssAnon only the private ones (heap, stacks), not the binary's own pages. */
export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}
export const mib = (kib: number): number => Math.round(kib / 1024);
export const rssMiB = (pid: number): number => mib(statusKiB(pid, 'VmRSS'));

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Which Rollout CRD, and how to read [phase, stable revision] from its status. */
export interface RolloutKind {
  group: string;
  version: string;
  plural: string;
  state(status: Record<string, unknown> | undefined): [string, string];
}

export async function rolloutStates(kind: RolloutKind, ns: string): Promise<Map<string, [string, string]>> {
  const list = (await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group: kind.group, version: kind.version, namespace: ns, plural: kind.plural })) as {
    items: { metadata: { name: string }; status?: Record<string, unknown> }[];
  };
  return new Map(list.items.map((r) => [r.metadata.name, kind.state(r.status)]));
}

function countPhases(s: Map<string, [string, string]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [phase] of s.values()) out[phase] = (out[phase] ?? 0) + 1;
  return out;
}

/** Polls until `done` holds for every Rollout of `ns`, with a progress line every 10 s; ms taken. */
export async function waitAll(
  what: string,
  kind: RolloutKind,
  ns: string,
  done: (name: string, st: [string, string]) => boolean,
  timeoutMs: number,
): Promise<number> {
  const t0 = Date.now();
  let lastLog = 0;
  for (;;) {
    const s = await rolloutStates(kind, ns);
    const finished = [...s.entries()].filter(([n, st]) => done(n, st)).length;
    if (finished === s.size && s.size > 0) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: timed out, ${finished}/${s.size} done, ${JSON.stringify(countPhases(s))}`);
    if (Date.now() - lastLog > 10_000) {
      log(`${what}: ${finished}/${s.size} done ${JSON.stringify(countPhases(s))}`);
      lastLog = Date.now();
    }
    await sleep(2000);
  }
}

/** A Deployment at 0 replicas for a Rollout to adopt through workloadRef. */
export async function createIdleDeployment(ns: string, app: string, template: V1PodTemplateSpec): Promise<void> {
  await kubeConfig()
    .makeApiClient(AppsV1Api)
    .createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: app }, spec: { replicas: 0, selector: { matchLabels: { app } }, template } },
    });
}

/** A new revision: the container named app changes its image (strategic merge), everything else stays. */
export async function setAppImage(ns: string, app: string, image: string): Promise<void> {
  await kubeConfig()
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeployment(
      { name: app, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
}
