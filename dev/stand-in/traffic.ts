// Steady load against the stand-in itself, so its metrics move without an
// external load tool. Open-loop (a fixed request rate, not "next request when
// the last one returns"), so a slow revision does not get less traffic and
// hide its latency; bounded in flight, so a very slow one cannot pile up.
import { Agent, request } from 'node:http';

export interface TrafficOptions {
  url: string;
  /** Requests per second. */
  rps: number;
  /** Requests allowed in flight at once; beyond it, ticks are skipped and counted. */
  maxInFlight: number;
}

export interface TrafficStats {
  sent: number;
  completed: number;
  skipped: number;
  inFlight: number;
}

const TICK_MS = 20;

export class SelfTraffic {
  private readonly agent: Agent;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private due = 0;
  readonly stats: TrafficStats = { sent: 0, completed: 0, skipped: 0, inFlight: 0 };

  constructor(private readonly opts: TrafficOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxInFlight });
  }

  start(): void {
    if (this.timer || this.opts.rps <= 0) return;
    this.startedAt = Date.now();
    this.due = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    // The loop alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  private tick(): void {
    // Catch up on whatever the timer's jitter delayed, so the rate holds on average.
    const target = Math.floor(((Date.now() - this.startedAt) * this.opts.rps) / 1000);
    while (this.due < target) {
      this.due++;
      if (this.stats.inFlight >= this.opts.maxInFlight) {
        this.stats.skipped++;
        continue;
      }
      this.send();
    }
  }

  private send(): void {
    this.stats.sent++;
    this.stats.inFlight++;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      this.stats.inFlight--;
      this.stats.completed++;
    };
    const req = request(this.opts.url, { agent: this.agent, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', done);
    req.end();
  }
}
