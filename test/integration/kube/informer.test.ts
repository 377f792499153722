import { CoreV1Api } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusCodeOf } from '../../../src/kube/errors.js';
import { Informer } from '../../../src/kube/informer.js';
import { listAll } from '../../../src/kube/list-pager.js';
import type { InformerObserver, RestartReason } from '../../../src/kube/informer.js';
import { CORE_CONFIGMAPS } from '../../../src/kube/resource.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { startFaultProxy } from './fault-proxy.js';
import type { FaultProxy } from './fault-proxy.js';

const ns = useTestNamespace('kube-informer');

/** Does a watch from resourceVersion 1 fail with 410 (history compacted), rather than replay? */
async function resourceVersionOneIsCompacted(): Promise<boolean> {
  try {
    // 410 arrives either as the HTTP status or as a single ERROR event in the stream.
    const result = await KubeClient.for(kubeConfig())
      .get<{ object?: unknown }>(`/api/v1/namespaces/${ns.name}/configmaps`, {
        query: { watch: true, resourceVersion: '1', timeoutSeconds: 1 },
        timeoutMs: 10_000,
      })
      .catch((err: unknown) => err);
    if (statusCodeOf(result) === 410) return true;
    return typeof result === 'object' && result !== null && 'object' in result && statusCodeOf(result.object) === 410;
  } catch {
    return false;
  }
}

function recorder() {
  const log: string[] = [];
  const restarts: RestartReason[] = [];
  let relists = 0;
  const observer: InformerObserver = {
    restart: (_r, reason) => restarts.push(reason),
    relist: () => relists++,
  };
  return {
    log,
    restarts,
    observer,
    get relists() {
      return relists;
    },
    track(inf: Informer<V1ConfigMap>) {
      inf.on('add', (o) => log.push(`add ${o.metadata?.name} ${o.data?.v ?? ''}`));
      inf.on('update', (o, old) => {
        if (o !== old) log.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`);
      });
      inf.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
    },
  };
}

describe('Informer against the real API server', () => {
  const informers: Informer<V1ConfigMap>[] = [];
  let api: CoreV1Api;
  let proxy: FaultProxy | undefined;

  beforeAll(() => {
    api = kubeConfig().makeApiClient(CoreV1Api);
  });

  afterEach(async () => {
    await Promise.all(informers.splice(0).map((i) => i.stop()));
    await proxy?.close();
    proxy = undefined;
  });

  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
  });

  const cm = (name: string, v: string, labels: Record<string, string> = { app: 'informer-test' }) => ({
    metadata: { name, namespace: ns.name, labels },
    data: { v },
  });

  it('lists, then sees add, update and delete of ConfigMaps; get/list serve the cache', async () => {
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('pre', '0') });
    const rec = recorder();
    const inf = new Informer<V1ConfigMap>(kubeConfig(), {
      resource: CORE_CONFIGMAPS,
      namespace: ns.name,
      labelSelector: 'app=informer-test',
      observer: rec.observer,
    });
    informers.push(inf);
    rec.track(inf);
    expect(inf.hasSynced()).toBe(false);
    inf.start();
    await inf.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    expect(inf.get(ns.name, 'pre')?.data?.v).toBe('0');
    expect(rec.log).toEqual(['add pre 0']);

    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('a', '1') });
    await eventually('add of a', async () => (inf.get(ns.name, 'a') ? true : undefined));
    await api.replaceNamespacedConfigMap({ namespace: ns.name, name: 'a', body: cm('a', '2') });
    await eventually('update of a', async () => (inf.get(ns.name, 'a')?.data?.v === '2' ? true : undefined));
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('other', '1', { app: 'unrelated' }) });
    await api.deleteNamespacedConfigMap({ namespace: ns.name, name: 'a' });
    await eventually('delete of a', async () => (inf.get(ns.name, 'a') ? undefined : true));

    expect(rec.log).toEqual(['add pre 0', 'add a 1', 'update a 2', 'delete a']);
    expect(inf.list(ns.name).map((o) => o.metadata?.name)).toEqual(['pre']);
    expect(inf.list().length).toBeGreaterThanOrEqual(1);
    expect(inf.isWatching()).toBe(true);
    // Objects are cached as plain JSON, exactly as the server sent them.
    expect(typeof inf.get(ns.name, 'pre')?.metadata?.creationTimestamp).toBe('string');
  });

  it('cluster-wide informer with a label selector sees only matching objects in any namespace', async () => {
    const label = `sel-${Date.now()}`;
    const inf = new Informer<V1ConfigMap>(kubeConfig(), { resource: CORE_CONFIGMAPS, labelSelector: `run=${label}` });
    informers.push(inf);
    inf.start();
    await inf.waitForSync();
    expect(inf.list()).toEqual([]);
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('cw', '1', { run: label }) });
    await eventually('cluster-wide add', async () => (inf.get(ns.name, 'cw') ? true : undefined));
    expect(inf.list().map((o) => o.metadata?.name)).toEqual(['cw']);
  });

  it('recovers from a broken connection with a backoff restart and keeps seeing changes', async () => {
    proxy = await startFaultProxy(kubeConfig());
    const rec = recorder();
    const inf = new Informer<V1ConfigMap>(proxy.kubeConfig(), {
      resource: CORE_CONFIGMAPS,
      namespace: ns.name,
      observer: rec.observer,
      backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5, resetAfterMs: 60_000 },
    });
    informers.push(inf);
    rec.track(inf);
    inf.start();
    await inf.waitForSync();
    await eventually('watch open', async () => (proxy?.watchCount() === 1 ? true : undefined));
    proxy.breakAll();
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('after-break', '1') });
    await eventually('event after break', async () => (inf.get(ns.name, 'after-break') ? true : undefined), { timeoutMs: 15_000 });
    expect(rec.restarts).toContain('watch-error');
    expect(rec.relists).toBe(1); // resumed from the last resourceVersion, no relist needed
  });

  it('detects a silent watch with the staleness watchdog and restarts it', async () => {
    proxy = await startFaultProxy(kubeConfig());
    const rec = recorder();
    const inf = new Informer<V1ConfigMap>(proxy.kubeConfig(), {
      resource: CORE_CONFIGMAPS,
      namespace: ns.name,
      observer: rec.observer,
      staleAfterMs: 2_000,
      backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5, resetAfterMs: 60_000 },
    });
    informers.push(inf);
    rec.track(inf);
    inf.start();
    await inf.waitForSync();
    await eventually('watch open', async () => (proxy?.watchCount() === 1 ? true : undefined));
    const watchesBefore = proxy.watchRequests();
    proxy.silenceOpenWatches();
    // This change is lost on the silenced stream; the restarted watch resumes from
    // the last resourceVersion and delivers it.
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('during-silence', '1') });
    await eventually('event after silence', async () => (inf.get(ns.name, 'during-silence') ? true : undefined), {
      timeoutMs: 15_000,
    });
    expect(rec.restarts).toContain('stale');
    expect(proxy.watchRequests()).toBeGreaterThan(watchesBefore);
  });

  it(
    'relists on 410 Gone (expired resourceVersion) and reconciles the cache, deletes included',
    async () => {
      // A real 410 needs a compacted resourceVersion. The stack's API server compacts
      // etcd every 30 s and serves ConfigMap watches from etcd, so on a young stack
      // this waits a minute or so until revision 1 is gone.
      await eventually('etcd compaction of revision 1', async () => ((await resourceVersionOneIsCompacted()) ? true : undefined), {
        timeoutMs: 11 * 60_000,
        intervalMs: 5_000,
      });
      proxy = await startFaultProxy(kubeConfig());
      const rec = recorder();
      await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('gone-victim', '1', { app: 'gone-test' }) });
      const inf = new Informer<V1ConfigMap>(proxy.kubeConfig(), {
        resource: CORE_CONFIGMAPS,
        namespace: ns.name,
        labelSelector: 'app=gone-test',
        observer: rec.observer,
        backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5, resetAfterMs: 60_000 },
      });
      informers.push(inf);
      rec.track(inf);
      inf.start();
      await inf.waitForSync();
      await eventually('watch open', async () => (proxy?.watchCount() === 1 ? true : undefined));
      expect(rec.relists).toBe(1);

      // Silence the stream so these changes are only learnt from the relist.
      proxy.silenceOpenWatches();
      proxy.expireNextWatch();
      await api.deleteNamespacedConfigMap({ namespace: ns.name, name: 'gone-victim' });
      await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('gone-new', '1', { app: 'gone-test' }) });
      proxy.breakAll();

      await eventually('relist after 410', async () => (rec.relists >= 2 ? true : undefined), { timeoutMs: 15_000 });
      await eventually('cache reconciled', async () => (inf.get(ns.name, 'gone-new') && !inf.get(ns.name, 'gone-victim') ? true : undefined));
      expect(rec.restarts).toContain('gone');
      expect(rec.log).toContain('delete gone-victim');
      expect(rec.log).toContain('add gone-new 1');
    },
    12 * 60_000,
  );

  it('resync re-delivers every cached object as an update', async () => {
    await api.createNamespacedConfigMap({ namespace: ns.name, body: cm('resync-me', '1', { app: 'resync' }) });
    const inf = new Informer<V1ConfigMap>(kubeConfig(), {
      resource: CORE_CONFIGMAPS,
      namespace: ns.name,
      labelSelector: 'app=resync',
      resyncPeriodMs: 300,
    });
    informers.push(inf);
    let resyncs = 0;
    inf.on('update', (o, old) => {
      if (o === old) resyncs++;
    });
    inf.start();
    await inf.waitForSync();
    await eventually('two resyncs', async () => (resyncs >= 2 ? true : undefined), { timeoutMs: 5_000 });
  });

  it('trims each page of a list as it arrives, so the cache never holds the whole list untrimmed', async () => {
    const run = `pages-${Date.now()}`;
    const big = 'x'.repeat(4096);
    for (let i = 0; i < 25; i++) await api.createNamespacedConfigMap({ namespace: ns.name, body: { ...cm(`p${i}`, String(i), { run }), binaryData: { big } } });
    const path = `/api/v1/namespaces/${ns.name}/configmaps`;

    // Aborted from the first item's callback: only the first page was read, so the
    // callback runs per page, not once the whole list is in memory.
    const abort = new AbortController();
    let seen = 0;
    const listing = listAll<V1ConfigMap>(kubeConfig(), path, {
      labelSelector: `run=${run}`,
      pageSize: 10,
      timeoutMs: 10_000,
      signal: abort.signal,
      each: () => {
        seen++;
        abort.abort();
      },
    });
    await expect(listing).rejects.toThrow();
    expect(seen).toBe(10);

    // An informer prunes its list the same way: every cached object and every object
    // its handlers see has lost the pruned field and managedFields.
    const handed: V1ConfigMap[] = [];
    const inf = new Informer<V1ConfigMap>(kubeConfig(), {
      resource: CORE_CONFIGMAPS,
      namespace: ns.name,
      labelSelector: `run=${run}`,
      pageSize: 10,
      prune: (o) => {
        delete o.binaryData;
      },
    });
    informers.push(inf);
    inf.on('add', (o) => handed.push(o));
    inf.start();
    await inf.waitForSync();
    expect(handed.length).toBe(25);
    expect(inf.list(ns.name).length).toBe(25);
    for (const o of [...handed, ...inf.list(ns.name)]) {
      expect(o.binaryData).toBeUndefined();
      expect(o.metadata?.managedFields).toBeUndefined();
      expect(o.data?.v).toBe(o.metadata?.name?.slice(1));
    }
  });

  it('stop() leaves no timers or sockets behind', async () => {
    proxy = await startFaultProxy(kubeConfig());
    const inf = new Informer<V1ConfigMap>(proxy.kubeConfig(), { resource: CORE_CONFIGMAPS, namespace: ns.name });
    inf.start();
    await inf.waitForSync();
    await eventually('watch open', async () => (proxy?.watchCount() === 1 ? true : undefined));
    await inf.stop();
    await eventually('watch closed', async () => (proxy?.watchCount() === 0 ? true : undefined), { timeoutMs: 5_000 });
    expect(inf.isWatching()).toBe(false);
  });
});
