// Stack processes run detached (own process group) so they outlive `stack:up`;
// their pids live in state.json so `stack:down` can stop exactly what was started.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { paths } from './paths.js';

export interface StartedProcess {
  name: string;
  pid: number;
  command: string;
  log: string;
}

/** `env` replaces the inherited environment when given (the gateway keeps KUBECONFIG from Traefik). */
export function startDetached(name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv): StartedProcess {
  const log = join(paths.logs, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], ...(env ? { env } : {}) });
    if (child.pid === undefined) throw new Error(`${name}: could not start ${binary}`);
    child.unref();
    return { name, pid: child.pid, command: [binary, ...args].join(' '), log };
  } finally {
    closeSync(fd);
  }
}

/** True if the pid is alive and still runs the binary we started (guards against pid reuse). */
export function isRunning(proc: Pick<StartedProcess, 'pid' | 'command'>): boolean {
  try {
    process.kill(proc.pid, 0);
  } catch {
    return false;
  }
  const cmdline = `/proc/${proc.pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  const argv0 = readFileSync(cmdline, 'utf8').split('\0')[0] ?? '';
  return proc.command.startsWith(argv0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM the process group, then SIGKILL whatever is left after the grace period. */
export async function stopProcess(proc: StartedProcess, graceMs = 10_000): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      try {
        process.kill(proc.pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isRunning(proc)) return;
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(proc)) return;
    await sleep(100);
  }
  signalGroup('SIGKILL');
  while (isRunning(proc)) await sleep(50);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}
