import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerRun } from './commands/run.js';

/** The root command, before any subcommand is added. */
export function rootCommand(): Command {
  return new Command('clairvoyance')
    .description('Deployment gate and progressive-rollout controller for Kubernetes')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError();
}

/**
 * Only `run`, for the long-lived controller process: it then loads none of the other
 * commands' modules (the full Kubernetes client library among them, about 80 MiB).
 */
export function buildRunProgram(): Command {
  const program = rootCommand();
  registerRun(program);
  return program;
}
