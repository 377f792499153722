import type { Command } from 'commander';
import { VERSION } from '../../version.js';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the version of clairvoyance')
    .action(() => {
      process.stdout.write(`clairvoyance ${VERSION}\n`);
    });
}
