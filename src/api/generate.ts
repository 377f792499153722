// Writes the CRDs generated from the zod schemas; run with `npm run generate`.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderCrdFiles } from './crd.js';
import { GROUP } from './group.js';

/** Every place the CRDs are checked in; a unit test keeps them equal to the generator. */
export const CRD_DIRS = ['manifests/crds', 'charts/clairvoyance/crds'] as const;

async function main(): Promise<void> {
  const files = renderCrdFiles();
  const names = new Set(files.map((f) => f.fileName));
  for (const dir of CRD_DIRS) {
    await mkdir(dir, { recursive: true });
    // Drop CRDs of kinds that no longer exist.
    for (const existing of await readdir(dir)) {
      if (existing.startsWith(`${GROUP}_`) && !names.has(existing)) await rm(join(dir, existing));
    }
    for (const file of files) await writeFile(join(dir, file.fileName), file.content);
    process.stdout.write(`wrote ${files.length} CRDs to ${dir}/\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
