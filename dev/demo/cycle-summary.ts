// The mission's question, answered from the controller's own metrics: does
// generated code reach stable faster, or does it shift work downstream?
import { say } from './output.js';

interface Row {
  count: number;
  sum: number;
}

function parse(metrics: string, name: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  const re = new RegExp(`^${name}_(sum|count)\\{([^}]*)\\} ([0-9.e+-]+)$`);
  for (const line of metrics.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.origin}|${labels.outcome}`;
    const row = rows.get(key) ?? { count: 0, sum: 0 };
    if (m[1] === 'sum') row.sum = Number(m[3]);
    else row.count = Number(m[3]);
    rows.set(key, row);
  }
  return rows;
}

const fmt = (s: number): string => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

export function printCycleSummary(metrics: string): void {
  const cycle = parse(metrics, 'clairvoyance_change_cycle_seconds');
  const canary = parse(metrics, 'clairvoyance_canary_duration_seconds');
  const origins = [...new Set([...cycle.keys()].map((k) => k.split('|')[0]!))];
  say(
    `${'origin'.padEnd(14)}${'promoted'.padEnd(10)}${'rolled back'.padEnd(13)}${'rollback rate'.padEnd(15)}${'mean cycle to stable'.padEnd(22)}mean time in canary`,
  );
  for (const origin of origins) {
    const promoted = cycle.get(`${origin}|promoted`) ?? { count: 0, sum: 0 };
    const rolled = cycle.get(`${origin}|rolled-back`) ?? { count: 0, sum: 0 };
    const inCanary = [canary.get(`${origin}|promoted`), canary.get(`${origin}|rolled-back`)].reduce<Row>(
      (acc, r) => ({ count: acc.count + (r?.count ?? 0), sum: acc.sum + (r?.sum ?? 0) }),
      { count: 0, sum: 0 },
    );
    const total = promoted.count + rolled.count;
    say(
      `${origin.padEnd(14)}${String(promoted.count).padEnd(10)}${String(rolled.count).padEnd(13)}${`${total ? Math.round((100 * rolled.count) / total) : 0}%`.padEnd(15)}` +
        `${(promoted.count ? fmt(promoted.sum / promoted.count) : '-').padEnd(22)}${inCanary.count ? fmt(inCanary.sum / inCanary.count) : '-'}`,
    );
  }
  if (origins.length === 0) say('no change completed');
  say('Cycle time starts at clairvoyance.dev/authored-at; a rollback counts as work shifted downstream.');
}
