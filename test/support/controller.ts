// Runs `clairvoyance run` as a real child process against the test cluster,
// scoped to the test's namespace so test files never share a controller.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { CONTROLLER_NODE_OPTIONS } from '../../dev/images/node-options.js';
import { kubeconfigPath, prometheusUrl } from './cluster.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ControllerProcess {
  proc: ChildProcess;
  logs(): string;
  /** Ports the controller reported once it started. */
  ready: Promise<{ healthPort: number; metricsPort: number }>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code once the process ends by itself (after a signal already sent). */
  exited(): Promise<number | null>;
  metrics(): Promise<string>;
}

export function startController(namespace: string, extraArgs: string[] = []): ControllerProcess {
  // CONTROLLER_FROM_DIST=1 runs the compiled build (as installed), e.g. for memory figures.
  const fromDist = process.env.CONTROLLER_FROM_DIST === '1';
  const args = [
    ...(fromDist ? [resolve(root, 'dist/cli/main.js')] : ['--import', 'tsx', resolve(root, 'src/cli/main.ts')]),
    'run',
    '--kubeconfig',
    kubeconfigPath(),
    '--namespace',
    namespace,
    '--bind-address',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--health-port',
    '0',
    '--log-level',
    'debug',
    // Webhook configurations are cluster-wide: tests that want one start it themselves.
    ...(extraArgs.includes('--webhook-port') ? [] : ['--no-webhook']),
    ...(prometheusUrl() ? ['--prometheus-url', prometheusUrl()!] : []),
    ...extraArgs,
  ];
  // As installed: the image's Node flags too.
  const env = fromDist ? { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${CONTROLLER_NODE_OPTIONS}`.trim() } : process.env;
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let resolvePorts: (p: { healthPort: number; metricsPort: number }) => void;
  let rejectPorts: (e: Error) => void;
  const ready = new Promise<{ healthPort: number; metricsPort: number }>((res, rej) => {
    resolvePorts = res;
    rejectPorts = rej;
  });
  const onData = (chunk: Buffer): void => {
    // Bounded: a long benchmark run must not grow the test process without limit.
    output = (output + chunk.toString()).slice(-256 * 1024);
    const m = /healthz on port (\d+), metrics on port (\d+)/.exec(output);
    if (m) resolvePorts({ healthPort: Number(m[1]), metricsPort: Number(m[2]) });
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) =>
    proc.on('exit', (code) => {
      rejectPorts(new Error(`controller exited (${code}) before starting:\n${output.slice(-3000)}`));
      res(code);
    }),
  );
  return {
    proc,
    logs: () => output,
    ready,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    exited: () => exited,
    async metrics() {
      const { metricsPort } = await ready;
      return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    },
  };
}

/** `clairvoyance run` flags for its webhook on loopback, registered as `configuration`. */
export function loopbackWebhookArgs(configuration: string, controllerNamespace: string): string[] {
  return ['--webhook-port', '0', '--webhook-host', '127.0.0.1', '--webhook-configuration-name', configuration, '--controller-namespace', controllerNamespace];
}

/** Sum of a counter's samples matching all given label fragments, from a /metrics text. */
export function metricSum(text: string, name: string, ...fragments: string[]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    if (fragments.every((f) => line.includes(f))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/**
 * A controller for one test file: started before its tests, stopped after.
 * Call at the top level; `get()` returns the running process inside tests.
 */
export function useController(namespace: string, extraArgs: string[] = []): { get(): ControllerProcess } {
  let controller: ControllerProcess | undefined;
  beforeAll(async () => {
    controller = startController(namespace, extraArgs);
    await controller.ready;
  });
  afterAll(async () => {
    await controller?.kill('SIGTERM');
  });
  return {
    get() {
      if (!controller) throw new Error('the controller starts in beforeAll; call get() inside a test');
      return controller;
    },
  };
}
