import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';

/** Parses `run` with `args`: a bad value fails before anything starts, naming its flag. */
async function runWith(args: string[]): Promise<unknown> {
  const program = buildProgram().exitOverride();
  return program.parseAsync(['node', 'clairvoyance', 'run', ...args]).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('clairvoyance run flags', () => {
  it.each(['0', '-1', '1.5', 'two', '', '2x'])('refuses --webhook-workers %j, naming the flag', async (value) => {
    const err = await runWith(['--webhook-workers', value]);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`--webhook-workers must be a positive integer, got "${value}"`);
  });
});
