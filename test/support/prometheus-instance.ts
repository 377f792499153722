// A private Prometheus a test may stop and start again ("Prometheus went away
// mid-analysis") without touching the stack's shared one. Same binary as the
// stack, its own port, data and file-SD target directory under .stack/, and the
// same 1 s scrape. Its data directory survives a stop, so after a restart it
// still holds what it scraped before, as a restarted real Prometheus would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCommand } from '../../dev/tools/command.js';
import { prometheusConfig } from '../../dev/stack/components.js';
import { paths, stackDir } from '../../dev/stack/paths.js';
import { freePort } from '../../dev/stack/processes.js';
import type { StackState } from '../../dev/stack/stack.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface PrometheusInstance {
  readonly url: string;
  readonly port: number;
  /** Drop file-SD target files here (stand-ins take it as one of their `targetDirs`). */
  readonly targetsDir: string;
  readonly running: boolean;
  /** Starts it again on the same port and data directory; resolves once /-/ready answers. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); the data directory stays. */
  stop(): Promise<void>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
  /** The tail of its log, for failure messages. */
  logTail(lines?: number): string;
}

function prometheusBinary(): string {
  if (process.env.PROMETHEUS_BIN) return process.env.PROMETHEUS_BIN;
  if (existsSync(paths.state)) {
    const state = JSON.parse(readFileSync(paths.state, 'utf8')) as StackState;
    if (state.binaries.prometheus) return state.binaries.prometheus;
  }
  throw new Error('no Prometheus binary: run `npm run stack:up` or set PROMETHEUS_BIN');
}

class LocalPrometheus implements PrometheusInstance {
  readonly url: string;
  readonly targetsDir: string;
  private readonly dataDir: string;
  private readonly configFile: string;
  private readonly logFile: string;
  private child: ChildProcess | undefined;

  constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly dir: string,
    private readonly retention = '1h',
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.targetsDir = join(dir, 'targets');
    this.dataDir = join(dir, 'data');
    this.configFile = join(dir, 'prometheus.yml');
    this.logFile = join(dir, 'prometheus.log');
    mkdirSync(this.targetsDir, { recursive: true });
    writeFileSync(this.configFile, prometheusConfig(this.targetsDir));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const log = openSync(this.logFile, 'a');
    try {
      this.child = spawn(
        this.binary,
        [
          `--config.file=${this.configFile}`,
          `--storage.tsdb.path=${this.dataDir}`,
          `--web.listen-address=127.0.0.1:${this.port}`,
          `--storage.tsdb.retention.time=${this.retention}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    const child = this.child;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`prometheus not ready on ${this.url} within ${READY_TIMEOUT_MS} ms:\n${this.logTail()}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(lines = 20): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }
}

function promtoolBinary(): string {
  if (process.env.PROMTOOL_BIN) return process.env.PROMTOOL_BIN;
  const beside = join(dirname(prometheusBinary()), 'promtool');
  if (existsSync(beside)) return beside;
  // A Prometheus built from Go modules comes without promtool; Debian's package has one.
  const onPath = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  throw new Error(`no promtool next to ${prometheusBinary()} or on PATH: install Debian's prometheus package (dev/install-prometheus.sh) or set PROMTOOL_BIN`);
}

export interface InstanceOptions {
  /** Default 1h; history backfilled hours into the past needs more, or Prometheus deletes it. */
  retention?: string;
  /** OpenMetrics text written into TSDB blocks with `promtool tsdb create-blocks-from openmetrics` before start. */
  backfill?: string;
}

/** Starts a private Prometheus named `name` (a prefix of its directory under .stack/prometheus-instances/). */
export async function startPrometheusInstance(name: string, opts: InstanceOptions = {}): Promise<PrometheusInstance> {
  const dir = join(stackDir, 'prometheus-instances', `${name}-${randomBytes(3).toString('hex')}`);
  const instance = new LocalPrometheus(prometheusBinary(), await freePort(), dir, opts.retention);
  if (opts.backfill !== undefined) {
    const input = join(dir, 'backfill.om');
    writeFileSync(input, opts.backfill);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const res = await runCommand(promtoolBinary(), ['tsdb', 'create-blocks-from', 'openmetrics', input, join(dir, 'data')]);
    if (res.code !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${res.code}):\n${res.stderr.slice(-2000)}`);
  }
  await instance.start();
  return instance;
}
