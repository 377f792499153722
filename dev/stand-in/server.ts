// Entry point of the stand-in revision process:
//
//   node --import tsx dev/stand-in/server.ts --revision 5d8f7c1a2b --error-rate 0.1 --latency-ms 60
//
// Binds 127.0.0.1 on a free port (or --port) and prints one JSON line,
// {"url","port","pid","revision"}, then serves until SIGINT/SIGTERM. With
// --exit-with-stdin it also exits when its stdin closes, so a test runner that
// dies (and with it the pipe) never leaves a stand-in behind.
import { parseArgs } from 'node:util';
import { DEFAULT_BEHAVIOUR, parseTelemetryList, type Behaviour } from './behaviour.js';
import { startStandIn } from './app.js';

const USAGE = `usage: stand-in [--revision HASH] [--host ADDR] [--port N]
  [--error-rate 0..1] [--latency-ms MS] [--latency-sigma S]
  [--telemetry all|none|requests,logs,traces] [--rps N] [--max-in-flight N] [--seed N] [--exit-with-stdin]`;

function number(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      revision: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'error-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      'latency-sigma': { type: 'string' },
      telemetry: { type: 'string', default: 'all' },
      rps: { type: 'string' },
      'max-in-flight': { type: 'string' },
      seed: { type: 'string' },
      'exit-with-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const behaviour: Behaviour = {
    errorRate: number('error-rate', values['error-rate'], DEFAULT_BEHAVIOUR.errorRate, 0, 1),
    latencyMs: number('latency-ms', values['latency-ms'], DEFAULT_BEHAVIOUR.latencyMs, 0, 60_000),
    latencySigma: number('latency-sigma', values['latency-sigma'], DEFAULT_BEHAVIOUR.latencySigma, 0, 3),
    telemetry: parseTelemetryList(values.telemetry),
  };
  const app = await startStandIn({
    ...(values.revision ? { revision: values.revision } : {}),
    host: values.host,
    port: number('port', values.port, 0, 0, 65535),
    behaviour,
    rps: number('rps', values.rps, 50, 0, 10_000),
    maxInFlight: number('max-in-flight', values['max-in-flight'], 64, 1, 10_000),
    ...(values.seed !== undefined ? { seed: number('seed', values.seed, 0) } : {}),
  });
  console.log(JSON.stringify({ url: app.url, port: app.port, pid: process.pid, revision: values.revision ?? null }));

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (values['exit-with-stdin']) {
    process.stdin.on('end', shutdown);
    process.stdin.on('close', shutdown);
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(2);
});
