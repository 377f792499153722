// Sharding at scale, on kwok nodes: N Rollouts, first on one unsharded controller (memory
// of one replica at N), then split by the clairvoyance.dev/shard label over two
// controllers run with --shard, each under its own ServiceAccount, through a canary of
// every Rollout. The API server's audit log (the local stack records every write to
// Rollouts, ReplicaSets and Deployments, with the user) says which process wrote which
// Rollout: the run counts the Rollouts written by both shards, which must be none.
// Prints figures, asserts nothing.
//
// Run: STACK_NODES=kwok npm run stack:up && npm run build && CONTROLLER_FROM_DIST=1 MALLOC_ARENA_MAX=2 npx tsx test/bench/shard-split.ts
//   BENCH_ROLLOUTS=10000   N
//   BENCH_SINGLE=0         skip the one-replica adoption (the shards adopt instead)
//   BENCH_CANARY_MINUTES=30  stop waiting for the canary wave then (kwok's scheduling of N canary
//                          pods is the limit on 2 cores) and count the split over the writes so far
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/index.js';
import { SHARD_LABEL } from '../../src/api/labels.js';
import { paths, repoRoot } from '../../dev/stack/paths.js';
import { kubeConfig, kubectl } from '../support/cluster.js';
import { startController, type ControllerProcess } from '../support/controller.js';
import { cpuSeconds, createIdleDeployment, log, mib, pool, rolloutStates, setAppImage, sleep, statusKiB, waitAll, type RolloutKind } from './support/scale.js';
import { envInteger, envNumber } from './support/env.js';

const N = envInteger('BENCH_ROLLOUTS', 10_000);
const SINGLE = process.env.BENCH_SINGLE !== '0';
const CANARY_TIMEOUT_MS = envNumber('BENCH_CANARY_MINUTES', 30) * 60_000;
const SHARDS = ['shard-0', 'shard-1'];
const WORKERS = 8;
const STEPS = [{ setWeight: 50 }, { pause: { duration: '1s' } }, { setWeight: 100 }];
const KIND: RolloutKind = { group: GROUP, version: VERSION, plural: 'rollouts', state: (s) => [String(s?.phase ?? 'None'), String(s?.stableRevision ?? '')] };
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const dir = mkdtempSync(join(tmpdir(), 'shard-split-'));

/** A kubeconfig for ServiceAccount `sa` (cluster-admin here: the benchmark measures, RBAC is the chart's test). */
async function serviceAccountKubeconfig(ns: string, sa: string): Promise<string> {
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: `${ns}-${sa}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    },
  });
  const token = await kubectl(['create', 'token', sa, '-n', ns, '--duration=48h']);
  if (token.code !== 0) throw new Error(`kubectl create token failed: ${token.stderr}`);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caData) throw new Error('the stack kubeconfig has no certificate-authority-data');
  const file = join(dir, `${sa}.kubeconfig`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
      users: [{ name: sa, user: { token: token.stdout.trim() } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: sa } }],
      'current-context': 'c',
    }),
    { mode: 0o600 },
  );
  return file;
}

interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  requestReceivedTimestamp: string;
  responseStatus?: { code?: number };
}

/** Every audit event of namespace `ns` since `since`, from the log and its rotated backups. */
function auditEvents(ns: string, since: number): AuditEvent[] {
  const logDir = dirname(paths.auditLog);
  const files = readdirSync(logDir)
    .filter((f) => f.startsWith('audit'))
    .map((f) => join(logDir, f));
  const out: AuditEvent[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes(`"namespace":"${ns}"`)) continue;
      const e = JSON.parse(line) as AuditEvent;
      if (e.objectRef?.namespace === ns && Date.parse(e.requestReceivedTimestamp) >= since) out.push(e);
    }
  }
  return out;
}

interface Split {
  /** Rollouts each user wrote (status or spec), successful writes only. */
  rolloutsBy: Map<string, Set<string>>;
  writesBy: Map<string, { rollouts: number; replicaSets: number; deployments: number }>;
  /** Rollouts written by more than one controller. */
  shared: string[];
}

function split(events: AuditEvent[], users: string[]): Split {
  const rolloutsBy = new Map(users.map((u) => [u, new Set<string>()]));
  const writesBy = new Map(users.map((u) => [u, { rollouts: 0, replicaSets: 0, deployments: 0 }]));
  const writers = new Map<string, Set<string>>();
  for (const e of events) {
    const user = e.user.username;
    const w = writesBy.get(user);
    if (!w || (e.responseStatus?.code ?? 0) >= 300) continue;
    const resource = e.objectRef?.resource;
    if (resource === 'rollouts' && e.objectRef?.name) {
      w.rollouts++;
      rolloutsBy.get(user)?.add(e.objectRef.name);
      const set = writers.get(e.objectRef.name) ?? new Set<string>();
      set.add(user);
      writers.set(e.objectRef.name, set);
    } else if (resource === 'replicasets') w.replicaSets++;
    else if (resource === 'deployments') w.deployments++;
  }
  return { rolloutsBy, writesBy, shared: [...writers].filter(([, s]) => s.size > 1).map(([n]) => n) };
}

interface Phase {
  what: string;
  seconds: number;
  rss: { name: string; steadyMiB: number; peakMiB: number; cpuS: number }[];
}

async function stopAll(controllers: ControllerProcess[]): Promise<void> {
  await Promise.all(controllers.map((c) => c.kill('SIGTERM')));
}

async function main(): Promise<void> {
  if (!existsSync(paths.auditLog))
    throw new Error(`no audit log at ${paths.auditLog}: restart the stack (npm run stack:down && STACK_NODES=kwok npm run stack:up)`);
  const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', resolve(repoRoot, 'manifests/crds/')]);
  if (crds.code !== 0) throw new Error(`applying CRDs failed: ${crds.stderr}`);
  const ns = `shards-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const users = ['single', ...SHARDS];
  const kubeconfigs = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await serviceAccountKubeconfig(ns, u)] as const)));
  const username = (sa: string): string => `system:serviceaccount:${ns}:${sa}`;
  const names = Array.from({ length: N }, (_, i) => `app-${i}`);
  const shardOf = (i: number): string => SHARDS[i % SHARDS.length]!;
  const phases: Phase[] = [];
  const run = (sa: string, extra: string[] = []): ControllerProcess =>
    startController(ns, [
      '--kubeconfig',
      kubeconfigs[sa]!,
      '--leader-election-namespace',
      ns,
      '--lease-name',
      'bench',
      '--workers',
      String(WORKERS),
      '--log-level',
      'warn',
      ...extra,
    ]);
  const measure = async (what: string, started: number, cs: [string, ControllerProcess][], cpu0: number[]): Promise<void> => {
    const seconds = (Date.now() - started) / 1000;
    await sleep(10_000);
    phases.push({
      what,
      seconds,
      rss: cs.map(([name, c], i) => ({
        name,
        steadyMiB: mib(statusKiB(c.proc.pid!, 'VmRSS')),
        peakMiB: mib(statusKiB(c.proc.pid!, 'VmHWM')),
        cpuS: cpuSeconds(c.proc.pid!) - (cpu0[i] ?? 0),
      })),
    });
    log(`${what}: ${seconds.toFixed(1)} s; ${JSON.stringify(phases.at(-1)!.rss)}`);
  };

  try {
    // Labelled from the start when the shards adopt; unlabelled for the one-replica phase.
    const labels = (i: number): Record<string, string> => (SINGLE ? {} : { [SHARD_LABEL]: shardOf(i) });
    log(`creating ${N} Deployments and Rollouts in ${ns}`);
    const created = Date.now();
    let single: ControllerProcess | undefined;
    if (SINGLE) {
      single = run('single');
      await single.ready;
    }
    await pool(
      names.map((name, i) => [name, i] as const),
      async ([app, i]) => {
        await createIdleDeployment(ns, app, { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } });
        await custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: 'rollouts',
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'Rollout',
            metadata: { name: app, labels: labels(i) },
            spec: {
              replicas: 1,
              workloadRef: { kind: 'Deployment', name: app },
              strategy: { canary: { steps: STEPS } },
              rollback: { scaleDownDelaySeconds: 0 },
            },
          },
        });
      },
      32,
    );
    log(`created in ${((Date.now() - created) / 1000).toFixed(1)} s`);

    if (single) {
      await waitAll('one replica: adoption', KIND, ns, (_, [phase, stable]) => phase === 'Healthy' && stable !== '', 90 * 60_000);
      await measure(`one replica adopts ${N}`, created, [['single', single]], [0]);
      await stopAll([single]);
      log(`labelling the ${N} Rollouts ${SHARDS.join(' / ')}`);
      await pool(
        names.map((name, i) => [name, i] as const),
        async ([name, i]) => {
          await custom.patchNamespacedCustomObject(
            { group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts', name, body: { metadata: { labels: { [SHARD_LABEL]: shardOf(i) } } } },
            MERGE,
          );
        },
        32,
      );
    }

    const shardStart = Date.now();
    const shards = SHARDS.map((s) => [s, run(s, ['--shard', s])] as [string, ControllerProcess]);
    await Promise.all(shards.map(([, c]) => c.ready));
    const cpu0 = shards.map(([, c]) => cpuSeconds(c.proc.pid!));
    if (!single) {
      await waitAll('two shards: adoption', KIND, ns, (_, [phase, stable]) => phase === 'Healthy' && stable !== '', 90 * 60_000);
      await measure(`two shards adopt ${N}`, created, shards, cpu0);
    } else {
      // The shards start from adopted Rollouts: their first pass is a resync.
      await sleep(20_000);
      await measure(`two shards take over ${N} adopted Rollouts`, shardStart, shards, cpu0);
    }

    const initial = await rolloutStates(KIND, ns);
    log(`changing every pod template (a canary of ${N} Rollouts on two shards)`);
    const changed = Date.now();
    const cpu1 = shards.map(([, c]) => cpuSeconds(c.proc.pid!));
    await pool(names, (app) => setAppImage(ns, app, 'registry.example/app:2'), 32);
    const promoted = (app: string, [phase, stable]: [string, string]): boolean => phase === 'Healthy' && stable !== '' && stable !== initial.get(app)?.[1];
    // A canary whose pods kwok never scheduled goes Degraded at its progress deadline:
    // the wave is over once every Rollout is promoted or Degraded.
    const settled = (app: string, st: [string, string]): boolean => promoted(app, st) || st[0] === 'Degraded';
    let stopped = '';
    try {
      await waitAll('two shards: canary', KIND, ns, settled, CANARY_TIMEOUT_MS);
    } catch (err) {
      // The split is the point of the run: it is counted over what the shards did by then.
      stopped = ' when stopped';
      log(`${String(err)}; counting the split over the writes so far`);
    }
    const states = await rolloutStates(KIND, ns);
    const done = [...states].filter(([app, st]) => promoted(app, st)).length;
    const byPhase: Record<string, number> = {};
    for (const [phase] of states.values()) byPhase[phase] = (byPhase[phase] ?? 0) + 1;
    const canary = done === N ? `two shards: 3-step canary of ${N}` : `two shards: canary, ${done} of ${N} promoted${stopped} ${JSON.stringify(byPhase)}`;
    await measure(canary, changed, shards, cpu1);
    await stopAll(shards.map(([, c]) => c));
    // The audit backend writes in batches: give it a moment to flush.
    await sleep(3_000);

    const events = auditEvents(ns, shardStart);
    const s = split(events, SHARDS.map(username));
    console.log(`\nsharding: ${N} Rollouts, ${SHARDS.length} shards (${WORKERS} workers each), kwok nodes, 3 steps (setWeight 50, pause 1s, setWeight 100)`);
    console.log('phase                                              wall s   process    steady MiB  peak MiB  CPU s');
    for (const p of phases) {
      for (const [i, r] of p.rss.entries()) {
        console.log(
          `${(i === 0 ? p.what : '').padEnd(50)} ${(i === 0 ? p.seconds.toFixed(1) : '').padStart(6)}   ${r.name.padEnd(10)} ${String(r.steadyMiB).padStart(10)} ${String(r.peakMiB).padStart(9)} ${r.cpuS.toFixed(1).padStart(6)}`,
        );
      }
    }
    console.log('\nAPI writes from the audit log, since the shards started');
    console.log('shard      Rollouts written  Rollout writes  ReplicaSet writes  Deployment writes  labelled for it');
    for (const [i, shard] of SHARDS.entries()) {
      const u = username(shard);
      const w = s.writesBy.get(u)!;
      const own = names.filter((_, j) => j % SHARDS.length === i);
      // app-<j> is labelled SHARDS[j % SHARDS.length].
      const foreign = [...(s.rolloutsBy.get(u) ?? [])].filter((n) => Number(n.slice('app-'.length)) % SHARDS.length !== i).length;
      console.log(
        `${shard.padEnd(10)} ${String(s.rolloutsBy.get(u)?.size ?? 0).padStart(16)} ${String(w.rollouts).padStart(15)} ${String(w.replicaSets).padStart(18)} ${String(w.deployments).padStart(18)}  ${own.length} (${foreign} written outside it)`,
      );
    }
    console.log(`Rollouts written by both shards: ${s.shared.length}${s.shared.length ? ` (${s.shared.slice(0, 10).join(', ')})` : ''}`);
  } finally {
    log(`deleting ${ns}`);
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    for (const u of users) await rbac.deleteClusterRoleBinding({ name: `${ns}-${u}` }).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
