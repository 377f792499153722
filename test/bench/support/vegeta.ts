// Evenly paced open-loop load from a separate process: vegeta (built from
// dev/cluster/vegeta). Request i leaves at i / rate seconds whatever the server does, and
// vegeta adds connections rather than wait for a busy one, so the rate holds and a slow
// answer delays no later send. hey (support/hey.ts) instead paces rate / 20 workers that
// start together: every 50 ms they send at once, and the p99 it reports is the time to
// drain a burst of rate / 20 requests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveVegeta } from '../../../dev/stack/binaries.js';
import { runCommand } from '../../../dev/tools/command.js';
import { loadResult, type LoadResult } from './load-result.js';

let vegetaPath: Promise<string> | undefined;

/** Path of vegeta, building it on first use (progress on stderr). */
export function vegetaBinary(): Promise<string> {
  vegetaPath ??= resolveVegeta();
  return vegetaPath;
}

async function run(binary: string, args: string[], input?: string): Promise<string> {
  const r = await runCommand(binary, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`vegeta ${args[0]} exited ${r.code}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}

/** Sends `body` to `url` at `rate` reviews/s for `seconds`, evenly spaced; latencies in ms. */
export async function runPacedLoad(url: string, body: string, rate: number, seconds: number): Promise<LoadResult> {
  const binary = await vegetaBinary();
  const dir = mkdtempSync(join(tmpdir(), 'bench-vegeta-'));
  try {
    const bodyFile = join(dir, 'review.json');
    const results = join(dir, 'results.bin');
    writeFileSync(bodyFile, body);
    // HTTP/1.1 for every target, as hey and the API server's webhook client speak it to Node.
    await run(
      binary,
      [
        'attack',
        `-rate=${rate}/s`,
        `-duration=${seconds}s`,
        '-insecure',
        '-http2=false',
        '-keepalive=true',
        '-timeout=10s',
        `-body=${bodyFile}`,
        '-header=Content-Type: application/json',
        `-output=${results}`,
      ],
      `POST ${url}\n`,
    );
    const csv = await run(binary, ['encode', '-to=csv', results]);
    // Columns: timestamp (ns), status code, latency (ns), bytes out, bytes in, error, ...
    const latencies: number[] = [];
    let non200 = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const line of csv.split('\n')) {
      const cols = line.split(',');
      if (cols.length < 6) continue;
      const sentAt = Number(cols[0]) / 1e6;
      first = Math.min(first, sentAt);
      last = Math.max(last, sentAt);
      latencies.push(Number(cols[2]) / 1e6);
      if (cols[1] !== '200') non200++;
    }
    // The rate at which requests left: below the target, the generator itself fell behind.
    const span = (last - first) / 1000;
    return loadResult(rate, span > 0 ? (latencies.length - 1) / span : latencies.length / seconds, latencies, non200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
