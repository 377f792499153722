// Entry point of the stand-in app:
//   tsx dev/stand-in/flag-app-main.ts --flags flags.json --key new-checkout --revision 5d8f7c --port 8080
// Prints one JSON line with the listening URL, then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startStandIn } from './flag-app.js';

const { values } = parseArgs({
  options: {
    flags: { type: 'string' },
    key: { type: 'string' },
    revision: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

if (!values.flags || !values.revision) {
  console.error('usage: stand-in --flags FILE --revision HASH [--key FLAG] [--port N] [--host ADDR]');
  process.exit(2);
}

const app = await startStandIn({
  flagsFile: values.flags,
  revision: values.revision,
  port: Number(values.port),
  host: values.host,
  ...(values.key ? { flagKey: values.key } : {}),
});
console.log(JSON.stringify({ url: app.url, port: app.port, revision: values.revision, key: values.key ?? null }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
