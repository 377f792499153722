#!/usr/bin/env node
// Entry point of the `clairvoyance` command (also `kubectl clairvoyance`).

// The controller process builds only its own command, so it loads none of the others.
const program = process.argv[2] === 'run' ? (await import('./run-program.js')).buildRunProgram() : (await import('./program.js')).buildProgram();

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
