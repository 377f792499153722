// Writes an OCI image archive from a root filesystem directory: one uncompressed layer,
// a config, a manifest and an index whose annotation names the image, in the layout
// `ctr images import` reads. No registry and no daemon are involved, so images build on
// machines that can pull nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ImageConfig {
  /** Full reference, e.g. docker.io/clairvoyance/demo-app:local (CRI normalises short names). */
  name: string;
  entrypoint: string[];
  cmd?: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  labels?: Record<string, string>;
}

export interface WrittenImage {
  name: string;
  archive: string;
  /** Digest of the manifest: what `crictl images` and the pod status show. */
  digest: string;
  /** Bytes of the uncompressed layer. */
  size: number;
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.trim()}`);
}

/** A tar of the rootfs that is the same bytes for the same files: sorted, owned by root, mtime 0. */
function reproducibleTar(sourceDir: string, output: string): void {
  run('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C',
    sourceDir,
    '-cf',
    output,
    '.',
  ]);
}

export function writeOciArchive(rootfs: string, config: ImageConfig, archive: string): WrittenImage {
  const layout = `${archive}.layout`;
  rmSync(layout, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const putBlob = (data: Buffer): { digest: string; size: number } => {
    const digest = sha256(data);
    writeFileSync(join(blobs, digest.slice('sha256:'.length)), data);
    return { digest, size: data.length };
  };

  const layerFile = join(layout, 'layer.tar');
  reproducibleTar(rootfs, layerFile);
  const layerBytes = readFileSync(layerFile);
  rmSync(layerFile);
  const layer = putBlob(layerBytes);

  const imageConfig = putBlob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Entrypoint: config.entrypoint,
          ...(config.cmd ? { Cmd: config.cmd } : {}),
          Env: config.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
          ...(config.user ? { User: config.user } : {}),
          ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
          ...(config.labels ? { Labels: config.labels } : {}),
        },
        // Uncompressed: the diff ID is the layer's own digest.
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        history: [{ created_by: 'clairvoyance dev/images', created: '1970-01-01T00:00:00Z' }],
        created: '1970-01-01T00:00:00Z',
      }),
    ),
  );
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    ),
  );
  const tag = config.name.slice(config.name.lastIndexOf(':') + 1);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': config.name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  mkdirSync(dirname(archive), { recursive: true });
  const partial = `${archive}.partial`;
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', layout, '-cf', partial, '.']);
  rmSync(layout, { recursive: true, force: true });
  renameSync(partial, archive);
  return { name: config.name, archive, digest: manifest.digest, size: statSync(archive).size };
}
