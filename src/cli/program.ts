import type { Command } from 'commander';
import { rootCommand } from './run-program.js';
import { registerVersion } from './commands/version.js';
import { registerExplain } from './commands/explain.js';
import { registerLint } from './commands/lint.js';
import { registerOperate } from './commands/operate.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerDoctor } from './commands/doctor.js';
import { registerWebhook } from './commands/webhook.js';
import { registerBacktest } from './commands/backtest.js';
import { registerReport } from './commands/report.js';
import { registerProvenance } from './commands/provenance.js';

/** Builds the command tree; each command lives in its own module under commands/. */
export function buildProgram(): Command {
  const program = rootCommand();
  registerVersion(program);
  registerRun(program);
  registerStatus(program);
  registerOperate(program);
  registerExplain(program);
  registerLint(program);
  registerDoctor(program);
  registerWebhook(program);
  registerBacktest(program);
  registerReport(program);
  registerProvenance(program);
  return program;
}
