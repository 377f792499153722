#!/usr/bin/env node
// Entry point of the `clairvoyance` command (also `kubectl clairvoyance`).
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
