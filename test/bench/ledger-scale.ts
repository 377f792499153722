// Ledger scale benchmark: N Changes (default 10,000) with realistic timelines in one
// namespace, watched by one controller. Prints the controller's RSS before and after the
// Changes exist, the time of a /metrics scrape that computes the ledger gauges from them,
// and the time of `clairvoyance report` over all of them.
// Run: npm run stack:up && npx tsx test/bench/ledger-scale.ts   (BENCH_CHANGES=1000 for a quick run)
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { LEDGER_ORIGINS, GROUP, VERSION, type ChangeEvent } from '../../src/api/index.js';
import { applyChangeEvents, emptyChangeStatus } from '../../src/ledger/fold.js';
import { runCommand } from '../../dev/tools/command.js';
import { kubeConfig, kubeconfigPath, kubectl } from '../support/cluster.js';
import { metricSum, startController } from '../support/controller.js';
import { pool, rssMiB } from './support/scale.js';
import { envInteger } from './support/env.js';

const N = envInteger('BENCH_CHANGES', 10_000);
const CONCURRENCY = 32;
const ns = `bench-ledger-${randomBytes(3).toString('hex')}`;
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = (msg: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** A change's story over the last 30 days, seeded by its index: denials, attempts, an outcome. */
function story(i: number): ChangeEvent[] {
  const rnd = (k: number): number => ((i * 2654435761 + k * 40503) >>> 0) % 1000;
  let t = Date.now() - 30 * 86_400_000 + rnd(1) * 2_500_000;
  const next = (): string => new Date((t += 60_000 + rnd(t % 97) * 3_000)).toISOString();
  const events: ChangeEvent[] = [{ type: 'Authored', at: new Date(t).toISOString() }];
  for (let d = 0; d < rnd(2) % 3; d++) events.push({ type: 'Denied', at: next(), rules: ['owner'] });
  const attempts = 1 + (rnd(3) % 3);
  for (let a = 0; a < attempts; a++) {
    const revision = `r${a}`;
    events.push({ type: 'Admitted', at: next(), revision }, { type: 'GatesPassed', at: next(), revision });
    for (let v = 0; v < 3; v++) events.push({ type: 'AnalysisVerdict', at: next(), revision, reason: 'Successful' });
    if (a < attempts - 1) events.push({ type: 'RolledBack', at: next(), revision, reason: 'AnalysisFailed' });
  }
  events.push({ type: 'Promoted', at: next(), revision: `r${attempts - 1}` });
  if (rnd(4) % 10 === 0) events.push({ type: 'Reverted', at: next(), reason: 'r-old' }, { type: 'Restored', at: next() });
  else events.push({ type: 'Stable', at: new Date(t + 86_400_000).toISOString() });
  return events;
}

async function main(): Promise<void> {
  const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', 'manifests/crds/']);
  if (crds.code !== 0) throw new Error(`applying CRDs failed: ${crds.stderr}`);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const controller = startController(ns, ['--no-leader-elect', '--log-level', 'warn']);
  try {
    await controller.ready;
    await new Promise((r) => setTimeout(r, 5_000));
    const baseRss = rssMiB(controller.proc.pid!);
    log(`creating ${N} Changes in ${ns}`);
    const created = Date.now();
    await pool(
      Array.from({ length: N }, (_, i) => i),
      async (i) => {
        const name = `chg-${i}`;
        const spec = { rollout: `app-${i % 200}`, changeId: `CHG-${i}`, origin: LEDGER_ORIGINS[i % LEDGER_ORIGINS.length], stabilityWindow: '24h' };
        await custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: 'changes',
          body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'Change', metadata: { name }, spec },
        });
        const status = emptyChangeStatus();
        applyChangeEvents(status, story(i), spec);
        await custom.patchNamespacedCustomObjectStatus(
          { group: GROUP, version: VERSION, namespace: ns, plural: 'changes', name, body: { status } },
          MERGE_PATCH,
        );
      },
      CONCURRENCY,
    );
    log(`created in ${((Date.now() - created) / 1000).toFixed(1)}s; waiting for the controller's cache`);
    for (;;) {
      const text = await controller.metrics();
      if (metricSum(text, 'clairvoyance_ledger_changes') === N) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    await new Promise((r) => setTimeout(r, 10_000));
    const rss = rssMiB(controller.proc.pid!);
    const scrapes: number[] = [];
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setTimeout(r, 1_100));
      const t0 = performance.now();
      await controller.metrics();
      scrapes.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const report = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', '-n', ns, '--kubeconfig', kubeconfigPath()]);
    const reportMs = performance.now() - t0;
    if (report.code !== 0) throw new Error(report.stderr);
    const heap = metricSum(await controller.metrics(), 'clairvoyance_process_nodejs_heap_size_used_bytes') / 2 ** 20;
    scrapes.sort((a, b) => a - b);

    console.log(`\n${report.stdout}`);
    console.log('results');
    console.log(`  changes                                 ${N}`);
    console.log(`  controller RSS without / with them      ${baseRss} MiB / ${rss} MiB`);
    console.log(`  JS heap used with them                  ${heap.toFixed(0)} MiB`);
    console.log(`  /metrics scrape (ledger gauges) median  ${scrapes[2]!.toFixed(0)} ms`);
    console.log(`  clairvoyance report (process, list, compute) ${(reportMs / 1000).toFixed(1)} s`);
  } finally {
    await controller.kill('SIGTERM');
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
