// Gateways are started by tests, not by `stack:up`, yet `stack:down` must leave none
// running. Each gateway records its process in its own directory under
// .stack/gateways (no shared file, so parallel test files never race on one), and
// `down` stops whatever is recorded there, then anything still running from there.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './paths.js';
import { isPortOpen, isRunning, stopProcess, type StartedProcess } from './processes.js';

export interface GatewayRecord {
  id: string;
  process: StartedProcess;
  ports: number[];
}

export const gatewayDir = (id: string): string => join(paths.gateways, id);
const recordFile = (id: string): string => join(gatewayDir(id), 'process.json');

export function recordGateway(record: GatewayRecord): void {
  mkdirSync(gatewayDir(record.id), { recursive: true });
  writeFileSync(recordFile(record.id), `${JSON.stringify(record, null, 2)}\n`);
}

export function forgetGateway(id: string): void {
  rmSync(gatewayDir(id), { recursive: true, force: true });
}

function records(): GatewayRecord[] {
  if (!existsSync(paths.gateways)) return [];
  return readdirSync(paths.gateways).flatMap((id) => {
    try {
      return [JSON.parse(readFileSync(recordFile(id), 'utf8')) as GatewayRecord];
    } catch {
      return []; // a gateway that failed before it started anything
    }
  });
}

/** Pids of processes running from a gateway directory: Traefik's command line names its config there. */
export function gatewayProcesses(): number[] {
  const marker = `${paths.gateways}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids.filter((p) => p !== process.pid);
}

/**
 * Stops every gateway of this checkout's stack, including those whose test died before
 * its stop(). Their Kubernetes objects go with the stack's etcd data. Returns the ids.
 */
export async function stopGateways(): Promise<string[]> {
  const stopped: string[] = [];
  for (const record of records()) {
    if (isRunning(record.process)) await stopProcess(record.process);
    stopped.push(record.id);
  }
  // A gateway whose record was never written (its starter died in between) still runs from there.
  const strays = gatewayProcesses();
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + 5_000;
  while (gatewayProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const stillOpen: number[] = [];
  for (const port of records().flatMap((r) => r.ports)) if (await isPortOpen(port)) stillOpen.push(port);
  if (stillOpen.length > 0) throw new Error(`gateway ports still listening after stop: ${stillOpen.join(', ')}`);
  rmSync(paths.gateways, { recursive: true, force: true });
  return stopped;
}

/** What stopped gateways left behind; empty when `down` was complete. */
export function gatewayLeftovers(): string[] {
  const left = gatewayProcesses().map((pid) => `gateway process ${pid}`);
  if (existsSync(paths.gateways)) left.push(`directory ${paths.gateways}`);
  return left;
}
