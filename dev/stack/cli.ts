// `npm run stack:up|stack:down|stack:status`.
import { paths } from './paths.js';
import { StackError } from './progress.js';
import { down, envLines, status, up } from './stack.js';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const { state } = await up();
      // The two sourceable lines come last, so `eval "$(npm run -s stack:up)"` works.
      process.stdout.write(envLines(state));
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const { state, components, healthy } = await status();
      if (!state) {
        process.stdout.write('stack: not running\n');
        return 1;
      }
      for (const c of components) {
        process.stdout.write(
          `${c.name.padEnd(24)} pid ${String(c.pid).padEnd(8)} ${c.running ? 'running' : 'STOPPED'}${c.rssMiB !== undefined ? `  ${c.rssMiB} MiB` : ''}\n`,
        );
      }
      const total = components.reduce((sum, c) => sum + (c.rssMiB ?? 0), 0);
      process.stdout.write(`stack: ${healthy ? 'healthy' : 'UNHEALTHY'}, ${total} MiB resident; env in ${paths.env}\n`);
      process.stdout.write(envLines(state));
      return healthy ? 0 : 1;
    }
    default:
      process.stderr.write('usage: tsx dev/stack/cli.ts up|down|status\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof StackError ? 'stack failed: ' : 'error: '}${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
