// Open-loop load from a separate process: Debian's `hey` (dev/install-hey.sh). A fixed
// rate R is R/20 workers each paced at 20 requests/s, so a worker waits 50 ms between
// sends: while latency stays well under 50 ms every send leaves on schedule whatever the
// server does (open loop); past that a worker falls behind, and the achieved rate shows it.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../dev/stack/paths.js';
import { loadResult, type LoadResult } from './load-result.js';

export const PER_WORKER_RATE = 20;

let heyPath: string | undefined;

/** Path of hey, installing Debian's package on first use (progress on stderr). */
export function heyBinary(): string {
  if (heyPath) return heyPath;
  const r = spawnSync('bash', [join(repoRoot, 'dev', 'install-hey.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = r.stdout.trim().split('\n').at(-1);
  if (r.status !== 0 || !path) throw new Error('hey is not available: see dev/install-hey.sh');
  heyPath = path;
  return path;
}

/** Sends `body` to `url` at `rate` reviews/s for `seconds`; latencies in ms, as hey measured them. */
export async function runLoad(url: string, body: string, rate: number, seconds: number): Promise<LoadResult> {
  const file = join(tmpdir(), `bench-review-${process.pid}.json`);
  writeFileSync(file, body);
  const workers = Math.max(1, Math.round(rate / PER_WORKER_RATE));
  const args = ['-z', `${seconds}s`, '-c', String(workers), '-q', String(rate / workers), '-m', 'POST', '-T', 'application/json', '-D', file, '-o', 'csv', url];
  const proc = spawn(heyBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => chunks.push(c));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((r) => proc.on('close', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`hey exited ${code}: ${stderr.slice(-500)}`);
  const latencies: number[] = [];
  let non200 = 0;
  for (const line of Buffer.concat(chunks).toString().split('\n').slice(1)) {
    const cols = line.split(',');
    if (cols.length < 7) continue;
    latencies.push(Number(cols[0]) * 1000);
    if (cols[6] !== '200') non200++;
  }
  return loadResult(rate, latencies.length / seconds, latencies, non200);
}
