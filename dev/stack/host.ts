// Running the host tools the real node needs (ip, iptables, ctr, runc): a failure names
// the command and what it printed.
import { spawnSync } from 'node:child_process';
import { StackError } from './progress.js';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input?: string): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.error) return { status: 127, stdout: '', stderr: result.error.message };
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function must(component: string, command: string, args: string[]): string {
  const r = run(command, args);
  if (r.status !== 0) throw new StackError(component, `${command} ${args.join(' ')}`, `exited with ${r.status}`, r.stderr.trim() || r.stdout.trim());
  return r.stdout;
}
