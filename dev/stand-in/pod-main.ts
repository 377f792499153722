// Entry point of the demo application's image: the stand-in revision, configured by the
// pod template's environment, so a revision's behaviour (its "bug") is a property of the
// Deployment a user applies, not of a process started beside the cluster.
//
//   ERROR_RATE     fraction of requests answered 500 (0..1, default 0)
//   LATENCY_MS     median latency (default 20)
//   LATENCY_SIGMA  lognormal spread (default 0.25)
//   TELEMETRY      all | none | requests,logs,traces (default all)
//   PORT           listening port (default 8080)
//   SHUTDOWN_DELAY_SECONDS  keep serving this long after SIGTERM (default 2), so kube-proxy
//                  drops the endpoint before the port closes and no request is refused
//
// Traffic comes from outside (through the Service), so the app drives none itself.
import { DEFAULT_BEHAVIOUR, parseTelemetryList } from './behaviour.js';
import { startStandIn } from './app.js';

function fromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return n;
}

try {
  const app = await startStandIn({
    ...(process.env.REVISION ? { revision: process.env.REVISION } : {}),
    host: '0.0.0.0',
    port: fromEnv('PORT', 8080, 1, 65535),
    rps: 0,
    behaviour: {
      errorRate: fromEnv('ERROR_RATE', DEFAULT_BEHAVIOUR.errorRate, 0, 1),
      latencyMs: fromEnv('LATENCY_MS', DEFAULT_BEHAVIOUR.latencyMs, 0, 60_000),
      latencySigma: fromEnv('LATENCY_SIGMA', DEFAULT_BEHAVIOUR.latencySigma, 0, 3),
      telemetry: parseTelemetryList(process.env.TELEMETRY ?? 'all'),
    },
  });
  console.log(JSON.stringify({ listening: app.url, revision: process.env.REVISION ?? null, behaviour: app.behaviour() }));
  const delayMs = fromEnv('SHUTDOWN_DELAY_SECONDS', 2, 0, 60) * 1000;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      setTimeout(() => void app.close().then(() => process.exit(0)), delayMs);
    });
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
