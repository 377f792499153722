// Reads a V8 heap snapshot (written by a process started with --heapsnapshot-signal) and
// sums its nodes' self sizes: the live heap after the full GC a snapshot implies, in total
// and by constructor, so a memory lever can be measured before and after.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface HeapSummary {
  totalMiB: number;
  top: { name: string; MiB: number; count: number }[];
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarize(file: string, topN = 8): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const size = snap.nodes[i + sizeAt]!;
    total += size;
    const type = types[snap.nodes[i + typeAt]!]!;
    const key = type === 'object' ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
    const e = by.get(key) ?? { size: 0, count: 0 };
    e.size += size;
    e.count++;
    by.set(key, e);
  }
  const top = [...by.entries()]
    .sort((a, b) => b[1].size - a[1].size)
    .slice(0, topN)
    .map(([name, e]) => ({ name, MiB: e.size / 2 ** 20, count: e.count }));
  return { totalMiB: total / 2 ** 20, top };
}

/** Signals `pid` and waits for the snapshot it writes into `dir`; returns its summary and deletes it. */
export async function takeSnapshot(pid: number, dir: string, timeoutMs = 300_000): Promise<HeapSummary> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const started = Date.now();
  for (;;) {
    const fresh = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (fresh !== undefined) {
      const file = join(dir, fresh);
      try {
        // Written in chunks, with pauses on a busy machine: complete once it parses.
        const summary = summarize(file);
        rmSync(file, { force: true });
        return summary;
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
      }
    }
    if (Date.now() - started > timeoutMs) throw new Error(`no complete heap snapshot from ${pid} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}
