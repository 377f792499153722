import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fractionalTargeting } from '../../../src/flags/flagd-format.js';
import { startStandIn } from '../../../dev/stand-in/flag-app.js';
import type { StandInApp } from '../../../dev/stand-in/flag-app.js';
import { retryOnConflict } from '../../../src/flags/store.js';

const dir = mkdtempSync(join(tmpdir(), 'cv-stand-in-'));
const file = join(dir, 'flags.json');
let apps: StandInApp[] = [];

function writeFlags(targeting?: object, defaultVariant = 'off'): void {
  const doc = { flags: { checkout: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant, ...(targeting ? { targeting } : {}) } } };
  writeFileSync(`${file}.tmp`, JSON.stringify(doc));
  renameSync(`${file}.tmp`, file);
}

async function start(flagKey?: string): Promise<StandInApp> {
  const app = await startStandIn({ flagsFile: file, revision: 'rev1', ...(flagKey ? { flagKey } : {}) });
  apps.push(app);
  return app;
}

async function get(url: string): Promise<{ variant?: string; reason: string; errorCode?: string }> {
  return (await fetch(url)).json() as Promise<{ variant?: string; reason: string; errorCode?: string }>;
}

afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stand-in app', () => {
  it('evaluates per request, follows file changes and labels metrics by revision', async () => {
    writeFlags();
    const app = await start('checkout');
    expect(await get(`${app.url}/?user=alice`)).toMatchObject({ variant: 'off', reason: 'STATIC' });
    writeFlags(fractionalTargeting('on', 'off', 100));
    expect(await get(`${app.url}/?user=alice`)).toMatchObject({ variant: 'on', reason: 'TARGETING_MATCH' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('feature_flag_evaluations_total{key="checkout",variant="off",revision="rev1"} 1');
    expect(metrics).toContain('feature_flag_evaluations_total{key="checkout",variant="on",revision="rev1"} 1');
    expect(metrics).toContain('http_requests_total{code="200",revision="rev1"} 2');
  });

  it('keeps the last good document when the file turns invalid', async () => {
    writeFlags(undefined, 'on');
    const app = await start('checkout');
    expect((await get(app.url)).variant).toBe('on');
    writeFileSync(`${file}.tmp`, '{"flags": {"checkout": {"state": "BROKEN"}}}');
    renameSync(`${file}.tmp`, file);
    expect((await get(app.url)).variant).toBe('on');
  });

  it('counts errors separately and exports no evaluation series when it never evaluates', async () => {
    writeFlags();
    const missing = await start('nope');
    expect(await get(missing.url)).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    const m1 = await (await fetch(`${missing.url}/metrics`)).text();
    expect(m1).toContain('feature_flag_evaluation_errors_total{key="nope",reason="FLAG_NOT_FOUND",revision="rev1"} 1');
    expect(m1).not.toMatch(/^feature_flag_evaluations_total\{/m);

    const dark = await start();
    await get(dark.url);
    const m2 = await (await fetch(`${dark.url}/metrics`)).text();
    expect(m2).not.toMatch(/^feature_flag_evaluations_total\{/m);
    expect(m2).toContain('http_requests_total{code="200",revision="rev1"} 1');
  });
});

describe('retryOnConflict', () => {
  it('retries 409s and gives up with a Conflict error', async () => {
    let n = 0;
    const conflict = Object.assign(new Error('conflict'), { code: 409 });
    await expect(
      retryOnConflict('write', 3, async () => {
        n++;
        throw conflict;
      }),
    ).rejects.toMatchObject({ reason: 'Conflict' });
    expect(n).toBe(3);
    n = 0;
    expect(await retryOnConflict('write', 3, async () => (++n < 2 ? Promise.reject(conflict) : 'done'))).toBe('done');
    await expect(retryOnConflict('write', 3, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
