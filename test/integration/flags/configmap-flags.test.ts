// The ConfigMap flag store, the driver and the gate against the real API
// server, with the stand-in app evaluating the flag as a canary pod would and
// Prometheus scraping it.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMapFlagStore } from '../../../src/flags/configmap-store.js';
import { ResourceClient } from '../../../src/kube/resource-client.js';
import { CORE_CONFIGMAPS } from '../../../src/kube/resource.js';
import { StoreFlagDriver } from '../../../src/flags/flag-driver.js';
import { FlagGateEvaluator } from '../../../src/flags/flag-gate.js';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { KubeFlagStores } from '../../../src/flags/stores.js';
import { nodeAt, parseJsonTree } from '../../../src/flags/json-edit.js';
import { rolloutSpecSchema } from '../../../src/api/rollout.js';
import type { RolloutSpec } from '../../../src/api/rollout.js';
import type { GateInput } from '../../../src/rollout/seams.js';
import { addScrapeTarget, eventually, kubeConfig, useTestNamespace } from '../../support/cluster.js';
import { instantQuery } from '../../support/prometheus.js';
import { drive, flagFile, startStandInProcess, syncConfigMap } from './helpers.js';
import type { StandInProcess } from './helpers.js';

const ns = useTestNamespace('flags-cm');
const KEY = 'flags.flagd.json';
const FLAG = 'new-checkout';

const DOC = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "banner": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a"},
    "new-checkout": {
      "state": "ENABLED",
      "variants": {
        "on": true,
        "off": false
      },
      "defaultVariant": "off"
    },
    "search-v2": {
      "state": "ENABLED",
      "variants": { "on": true, "off": false },
      "defaultVariant": "off",
      "metadata": { "owner": "search" }
    }
  }
}
`;

let core: CoreV1Api;
let configMaps: ResourceClient<V1ConfigMap>;

function spec(flag: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): RolloutSpec {
  return rolloutSpecSchema.parse({
    workloadRef: { kind: 'Deployment', name: 'checkout' },
    strategy: { canary: { steps: [{ setFlag: { percent: 10 } }] } },
    ...(flag ? { flag } : {}),
    ...extra,
  });
}

const flagSpec = (cm = 'flags') => ({ key: FLAG, source: { configMap: { name: cm } } });

async function createConfigMap(name: string, text: string): Promise<void> {
  await core.createNamespacedConfigMap({
    namespace: ns.name,
    body: { metadata: { name }, data: { [KEY]: text, 'README.md': 'flags for the shop\n' } },
  });
}

async function dataOf(name: string): Promise<string> {
  const cm = await core.readNamespacedConfigMap({ name, namespace: ns.name });
  return cm.data?.[KEY] ?? '';
}

/** Bytes of every flag except `key`, to prove an edit left them alone. */
function otherFlags(text: string, key: string): Record<string, string> {
  const flags = nodeAt(parseJsonTree(text), ['flags']);
  const out: Record<string, string> = {};
  for (const [name, value] of (flags?.children ?? []).map((m) => m.children ?? [])) {
    if (name && value && name.value !== key) out[String(name.value)] = text.slice(value.offset, value.offset + value.length);
  }
  return out;
}

beforeAll(async () => {
  core = kubeConfig().makeApiClient(CoreV1Api);
  configMaps = ResourceClient.of<V1ConfigMap>(kubeConfig(), CORE_CONFIGMAPS);
});

describe('ConfigMapFlagStore', () => {
  it('reads one flag and updates only that flag, byte for byte', async () => {
    await createConfigMap('store', DOC);
    const store = new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'store', key: KEY });
    expect(await store.read(FLAG)).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' });
    expect(await store.read('nope')).toBeUndefined();

    await store.update(FLAG, (f) => ({ ...f, targeting: fractionalTargeting('on', 'off', 10) }));
    const after = await dataOf('store');
    expect(otherFlags(after, FLAG)).toEqual(otherFlags(DOC, FLAG));
    expect(after.startsWith(DOC.slice(0, DOC.indexOf('"new-checkout"')))).toBe(true);
    expect(JSON.parse(after).flags[FLAG].targeting).toEqual(fractionalTargeting('on', 'off', 10));
    const cm = await core.readNamespacedConfigMap({ name: 'store', namespace: ns.name });
    expect(cm.data?.['README.md']).toBe('flags for the shop\n');

    // No-op updates do not write (the resourceVersion stays).
    await store.update(FLAG, (f) => ({ ...f }));
    const again = await core.readNamespacedConfigMap({ name: 'store', namespace: ns.name });
    expect(again.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it("retries on a conflicting concurrent write and keeps the other writer's change", async () => {
    await createConfigMap('race', DOC);
    const other = new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'race', key: KEY });
    // The real client, except that just before our first write another writer commits.
    let raced = false;
    const racing = Object.create(configMaps) as ResourceClient<V1ConfigMap>;
    racing.patch = async (...args: Parameters<ResourceClient<V1ConfigMap>['patch']>) => {
      if (!raced) {
        raced = true;
        await other.update('banner', (b) => ({ ...b, defaultVariant: 'b' }));
      }
      return configMaps.patch(...args);
    };
    const store = new ConfigMapFlagStore(racing, { namespace: ns.name, name: 'race', key: KEY });
    let calls = 0;
    await store.update(FLAG, (f) => {
      calls++;
      return { ...f, targeting: fractionalTargeting('on', 'off', 30) };
    });
    expect(calls).toBe(2); // the first write hit 409 Conflict and was redone on fresh data
    const text = await dataOf('race');
    const doc = JSON.parse(text);
    expect(doc.flags.banner.defaultVariant).toBe('b');
    expect(doc.flags[FLAG].targeting).toEqual(fractionalTargeting('on', 'off', 30));
    expect(otherFlags(text, 'banner')['search-v2']).toBe(otherFlags(DOC, FLAG)['search-v2']);
  });

  it('loses no write when several controllers update different flags at once', async () => {
    const many = JSON.stringify(
      {
        flags: Object.fromEntries(
          Array.from({ length: 8 }, (_, i) => [`f${i}`, { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }]),
        ),
      },
      null,
      2,
    );
    await createConfigMap('many', many);
    let attempts = 0;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'many', key: KEY }, { maxAttempts: 20 }).update(`f${i}`, (f) => {
          attempts++;
          return { ...f, targeting: fractionalTargeting('on', 'off', i * 10) };
        }),
      ),
    );
    const doc = JSON.parse(await dataOf('many'));
    for (let i = 0; i < 8; i++) expect(doc.flags[`f${i}`].targeting).toEqual(fractionalTargeting('on', 'off', i * 10));
    // More mutate calls than flags proves conflicts happened and were retried.
    expect(attempts).toBeGreaterThan(8);
  });

  it('reports a missing ConfigMap, a missing key and invalid JSON as source errors', async () => {
    const missing = new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'absent', key: KEY });
    await expect(missing.read(FLAG)).rejects.toMatchObject({ reason: 'SourceNotFound' });
    await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'nokey' }, data: { other: '{}' } } });
    await expect(new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'nokey', key: KEY }).read(FLAG)).rejects.toMatchObject({
      reason: 'SourceNotFound',
    });
    await createConfigMap('broken', '{"flags": {"x": {"state": "ON", "variants": {}, "defaultVariant": "a"}}}');
    const err = await new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'broken', key: KEY }).read('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'InvalidSource' });
    expect(String(err)).toContain('$.flags.x.state');
  });
});

describe('flag driver and stand-in app', () => {
  const revision = `flag-${randomBytes(3).toString('hex')}`;
  const dark = `dark-${randomBytes(3).toString('hex')}`;
  const file = flagFile();
  let app: StandInProcess;
  let darkApp: StandInProcess;
  const removeTargets: (() => void)[] = [];
  const target = () => ({ rollout: { name: 'checkout', namespace: ns.name, uid: 'u1' }, spec: spec(flagSpec()) });
  const ref = () => ({ namespace: ns.name, name: 'flags', key: KEY });
  let driver: StoreFlagDriver;

  beforeAll(async () => {
    await createConfigMap('flags', DOC);
    await syncConfigMap(core, ref(), file.path);
    driver = new StoreFlagDriver(new KubeFlagStores(kubeConfig()));
    app = await startStandInProcess({ flagsFile: file.path, revision, flagKey: FLAG });
    // A canary that ships the code but never evaluates the flag: the wiring signal must catch it.
    darkApp = await startStandInProcess({ flagsFile: file.path, revision: dark });
    removeTargets.push(addScrapeTarget(`flags-${revision}`, [`127.0.0.1:${app.port}`], { job: 'flags-it' }));
    removeTargets.push(addScrapeTarget(`flags-${dark}`, [`127.0.0.1:${darkApp.port}`], { job: 'flags-it' }));
  });

  afterAll(async () => {
    for (const remove of removeTargets) remove();
    await Promise.all([app?.stop(), darkApp?.stop()]);
    file.cleanup();
  });

  /** Evaluation counts per variant as Prometheus sees them, once it has scraped `total`. */
  async function scrapedCounts(total: number): Promise<Record<string, number>> {
    return eventually(
      `Prometheus to have scraped ${total} evaluations`,
      async () => {
        const rows = await instantQuery(`sum by (variant) (feature_flag_evaluations_total{revision="${revision}",key="${FLAG}"})`);
        const counts = Object.fromEntries(rows.map((r) => [r.metric.variant ?? '', Number(r.value[1])]));
        const sum = Object.values(counts).reduce((a, b) => a + b, 0);
        return sum === total ? counts : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }

  const N = 4000;

  it("serves about 10% then 50% on, as seen in the app's metrics; kill turns it off", async () => {
    const before = await scrapedCounts(0).catch(() => ({}) as Record<string, number>);
    expect(before).toEqual({});

    await driver.setPercent(target(), 10);
    await driver.setPercent(target(), 10); // idempotent
    const text = await syncConfigMap(core, ref(), file.path);
    expect(otherFlags(text, FLAG)).toEqual(otherFlags(DOC, FLAG));
    await drive(app.url, N);
    const at10 = await scrapedCounts(N);
    expect(Math.abs((100 * (at10.on ?? 0)) / N - 10)).toBeLessThan(3);

    await driver.setPercent(target(), 50);
    await syncConfigMap(core, ref(), file.path);
    await drive(app.url, N);
    const at50 = await scrapedCounts(2 * N);
    const on50 = (at50.on ?? 0) - (at10.on ?? 0);
    expect(Math.abs((100 * on50) / N - 50)).toBeLessThan(3);

    await driver.kill(target());
    const killed = await syncConfigMap(core, ref(), file.path);
    expect(JSON.parse(killed).flags[FLAG]).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' });
    // Killing restores the original text exactly: the rollout leaves no trace in the file.
    expect(killed).toBe(DOC);
    const seen = await drive(app.url, 500);
    expect(seen).toEqual({ off: 500 });
    const afterKill = await scrapedCounts(2 * N + 500);
    expect(afterKill.on).toBe(at50.on);

    await driver.promote(target());
    await syncConfigMap(core, ref(), file.path);
    expect(await drive(app.url, 200)).toEqual({ on: 200 });
  });

  it('the wiring signal sees the evaluating revision and not the one that never evaluates', async () => {
    await drive(darkApp.url, 200);
    await drive(app.url, 200);
    const rate = (rev: string) => instantQuery(`sum(rate(feature_flag_evaluations_total{revision="${rev}",key="${FLAG}"}[30s]))`);
    const live = await eventually('flag evaluation rate of the wired revision', async () => {
      const rows = await rate(revision);
      return rows.length && Number(rows[0]?.value[1]) > 0 ? rows : undefined;
    });
    expect(live).toHaveLength(1);
    // The dark revision is scraped and serves requests, but has no evaluation series at all.
    await eventually('the dark revision to be scraped', async () => {
      const rows = await instantQuery(`sum(http_requests_total{revision="${dark}"})`);
      return rows.length && Number(rows[0]?.value[1]) >= 200 ? rows : undefined;
    });
    expect(await rate(dark)).toEqual([]);
  });
});

describe('flag gate against a ConfigMap', () => {
  const input = (s: RolloutSpec, annotations: Record<string, string> = {}): GateInput => ({
    rollout: { name: 'checkout', namespace: ns.name, uid: 'u1' },
    spec: s,
    deployment: { spec: { selector: {}, template: { metadata: { annotations }, spec: { containers: [] } } } },
    revision: 'r1',
    namespace: undefined,
  });

  it('blocks a missing ConfigMap, a missing flag and a flag defaulting on; passes once fixed', async () => {
    const gate = new FlagGateEvaluator(new KubeFlagStores(kubeConfig()));
    const ids = async (s: RolloutSpec) => (await gate.evaluate(input(s))).findings.map((f) => f.ruleId);

    expect(await ids(spec(flagSpec('gate')))).toEqual(['flag-source-missing']);
    await createConfigMap('gate', '{\n  "flags": {}\n}\n');
    expect(await ids(spec(flagSpec('gate')))).toEqual(['flag-missing']);

    await core.patchNamespacedConfigMap({
      name: 'gate',
      namespace: ns.name,
      body: [
        {
          op: 'replace',
          path: `/data/${KEY.replace(/\//g, '~1')}`,
          value: DOC.replace('"defaultVariant": "off"\n    },\n    "search-v2"', '"defaultVariant": "on"\n    },\n    "search-v2"'),
        },
      ],
    });
    const on = await gate.evaluate(input(spec(flagSpec('gate'))));
    expect(on.passed).toBe(false);
    expect(on.findings).toMatchObject([{ ruleId: 'flag-defaults-on', enforcement: 'Enforce', policy: 'rollout/checkout' }]);

    // The fix an operator would make: default back to off.
    await new ConfigMapFlagStore(configMaps, { namespace: ns.name, name: 'gate', key: KEY }).update(FLAG, (f) => ({ ...f, defaultVariant: 'off' }));
    expect(await gate.evaluate(input(spec(flagSpec('gate'))))).toEqual({ passed: true, findings: [] });
  });
});
