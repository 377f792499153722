// Static checks of the Dockerfile: the properties the chart's securityContext and the
// supply chain rely on. (No Docker engine here; the production install itself is
// reproduced by test/integration/install/production-install.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../dev/stack/paths.js';
import { CONTROLLER_NODE_OPTIONS } from '../../../dev/images/node-options.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const dockerfile = instructions(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const stages = dockerfile.filter((i) => i.op === 'FROM');
const lastFrom = dockerfile.lastIndexOf(stages[stages.length - 1]!);
const runtime = dockerfile.slice(lastFrom);

describe('Dockerfile', () => {
  it('is multi-stage, with a distroless runtime', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime[0]!.args).toMatch(/^gcr\.io\/distroless\/nodejs/);
  });

  it('installs production dependencies only for the runtime', () => {
    const installs = dockerfile.filter((i) => i.op === 'RUN' && /npm ci/.test(i.args));
    expect(installs.some((i) => /--omit=dev/.test(i.args))).toBe(true);
    const copiedModules = runtime.filter((i) => i.op === 'COPY' && /node_modules/.test(i.args));
    expect(copiedModules).toHaveLength(1);
    // The runtime's node_modules come from the stage that ran `npm ci --omit=dev`.
    const from = /--from=(\S+)/.exec(copiedModules[0]!.args)?.[1];
    const source = dockerfile.findIndex((i) => i.op === 'FROM' && new RegExp(`\\bAS\\s+${from}$`, 'i').test(i.args));
    expect(source).toBeGreaterThanOrEqual(0);
    const next = dockerfile.findIndex((i, n) => n > source && i.op === 'FROM');
    expect(dockerfile.slice(source, next).some((i) => i.op === 'RUN' && /npm ci .*--omit=dev/.test(i.args))).toBe(true);
  });

  it('runs as a numeric non-root user, matching the chart (65532)', () => {
    const users = runtime.filter((i) => i.op === 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]!.args).toMatch(/^\d+(:\d+)?$/);
    expect(users[0]!.args.split(':')[0]).not.toBe('0');
    expect(users[0]!.args).toBe('65532:65532');
  });

  it('runs Node with the flags the local image and the benchmarks use', () => {
    const env = runtime.filter((i) => i.op === 'ENV' && i.args.startsWith('NODE_OPTIONS='));
    expect(env.map((i) => i.args)).toEqual([`NODE_OPTIONS="${CONTROLLER_NODE_OPTIONS}"`]);
  });

  it('starts the CLI with `run` by default', () => {
    expect(runtime.find((i) => i.op === 'ENTRYPOINT')?.args).toContain('dist/cli/main.js');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["run"]');
  });
});
