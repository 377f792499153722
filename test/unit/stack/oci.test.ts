// The OCI archive writer: content-addressed blobs whose digests match, a config whose
// diff ID is the layer, the image name where containerd's import reads it, and the
// same bytes for the same files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOciArchive } from '../../../dev/images/oci.js';

const work = mkdtempSync(join(tmpdir(), 'oci-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function rootfs(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'app', 'main.mjs'), 'console.log("hi")\n');
  writeFileSync(join(dir, 'run'), '#!/bin/sh\n');
  chmodSync(join(dir, 'run'), 0o755);
  return dir;
}

function unpack(archive: string): string {
  const dir = `${archive}.x`;
  mkdirSync(dir);
  expect(spawnSync('tar', ['-xf', archive, '-C', dir]).status).toBe(0);
  return dir;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('writeOciArchive', () => {
  const config = { name: 'docker.io/clairvoyance/test:local', entrypoint: ['/run'], user: '65532:65532', env: ['A=1'] };
  const image = writeOciArchive(rootfs('a'), config, join(work, 'a.tar'));
  const layout = unpack(image.archive);
  const blob = (digest: string): Buffer => readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; size: number; annotations: Record<string, string> }[];
  };

  it('names the image where containerd reads it and points at its manifest', () => {
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.annotations['io.containerd.image.name']).toBe(config.name);
    expect(index.manifests[0]?.digest).toBe(image.digest);
  });

  it('stores every blob under its own digest', () => {
    for (const file of readdirSync(join(layout, 'blobs', 'sha256'))) {
      expect(sha(readFileSync(join(layout, 'blobs', 'sha256', file)))).toBe(`sha256:${file}`);
    }
  });

  it('has a config with the entrypoint, user and env, whose diff ID is the layer', () => {
    const manifest = JSON.parse(blob(image.digest).toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
    const imageConfig = JSON.parse(blob(manifest.config.digest).toString()) as { config: Record<string, unknown>; rootfs: { diff_ids: string[] } };
    expect(imageConfig.config).toMatchObject({ Entrypoint: ['/run'], User: '65532:65532', Env: ['A=1'] });
    expect(imageConfig.rootfs.diff_ids).toEqual([manifest.layers[0]?.digest]);
    const listing = spawnSync('tar', ['-tvf', join(layout, 'blobs', 'sha256', String(manifest.layers[0]?.digest).slice(7))], { encoding: 'utf8' });
    expect(listing.stdout).toMatch(/-rwxr-xr-x 0\/0 .* \.\/run/);
    expect(listing.stdout).toContain('./app/main.mjs');
  });

  it('writes the same digest for the same files, whenever they were written', () => {
    const again = writeOciArchive(rootfs('b'), config, join(work, 'b.tar'));
    expect(again.digest).toBe(image.digest);
  });
});
