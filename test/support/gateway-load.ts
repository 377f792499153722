// Steady traffic through the Gateway, every answer kept with its time and revision (the
// X-Revision header), so a test can say when the canary stopped answering. Keep-alive
// connections: the Gateway balances requests, not connections.
import { Agent, request } from 'node:http';

export interface Answer {
  at: number;
  revision: string;
  status: number;
}

export class GatewayLoad {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private running = false;
  private loop: Promise<void> | undefined;
  readonly answers: Answer[] = [];
  failed = 0;

  constructor(private readonly url: string) {}

  /** One request; resolves with who answered. */
  send(headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}/`, { agent: this.agent, headers, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ at: Date.now(), revision: String(res.headers['x-revision'] ?? 'unknown'), status: res.statusCode ?? 0 }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  /** Background traffic at about `rps` requests a second, every answer recorded. */
  start(rps = 50): this {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const tick = Date.now();
        this.send().then(
          (a) => this.answers.push(a),
          () => this.failed++,
        );
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rps - (Date.now() - tick))));
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.agent.destroy();
  }
}
